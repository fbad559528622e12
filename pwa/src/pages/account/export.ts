// The data export as a file to save: JSON for other programs, or the
// readable document (HTML) to read and print. Used by the overview and the
// Datencockpit.
import { exportFile } from "../../data/account.ts";

/** The names the export is saved under (the server's Content-Disposition says the same). */
export const EXPORT_FILES = { json: "schalter-meine-daten.json", html: "schalter-meine-daten.html" } as const;

export type ExportFormat = keyof typeof EXPORT_FILES;

/** Saves a blob as a file through a temporary link (the CSP allows no other way without a new window). */
function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the export and saves it; returns the file's name. */
export async function downloadExport(format: ExportFormat): Promise<string> {
  saveFile(await exportFile(format), EXPORT_FILES[format]);
  return EXPORT_FILES[format];
}
