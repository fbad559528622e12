package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/camt"
)

// The watched folder (SCHALTER_CAMT_DIR) is where the bank's files arrive
// without anyone uploading them: an EBICS client or the bank's SFTP
// delivery drops them there. Every minute a job imports each *.xml file
// of the folder as FolderActor and moves it to done/, or, when the file
// itself is at fault (not a camt.054, for another account), to failed/
// with <name>.error.txt saying why. A failure of Schalter's own (the
// database is down) leaves the file where it is, for the next run.
//
// A file still being written must not be read half. The rule: a file is
// taken once it has not been written to for Settle (its modification
// time is that old), and it is read only if its size and modification
// time are the same after reading as before. A writer that cannot
// promise that writes under another name (name.xml.part, or a name
// starting with a dot) and renames the file to *.xml when it is complete;
// a rename within the folder is atomic, and those names are never read.
// Because the same bytes are never booked twice, a file that a run
// imported but could not move (or that two runs saw at once) is harmless:
// the next import of it books nothing and moves it.

// WatchEvery is how often the folder is looked at; Settle how long a file
// must not have changed to be taken.
const (
	WatchEvery = time.Minute
	Settle     = 10 * time.Second
)

// Where files go after their import.
const (
	DoneDir   = "done"
	FailedDir = "failed"
)

// WatchArgs is the periodic job that imports the watched folder's files
// (a jobs.Chore of Watch).
type WatchArgs struct{}

// Kind names the job in River.
func (WatchArgs) Kind() string { return "reconcile_watch" }

// errChanging says a file changed while it was read: it is taken later.
var errChanging = errors.New("the file changed while it was read")

// Watch imports the files of the watched folder that are complete, and
// says how many it took (imported or failed). Without a folder it does
// nothing.
func (s *Service) Watch(ctx context.Context) (int64, error) {
	dir := s.cfg.Dir
	if dir == "" {
		return 0, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("reconcile: the watched folder %s: %w", dir, err)
	}
	var taken int64
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.EqualFold(filepath.Ext(name), ".xml") {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // taken by a run on another replica
		}
		if err != nil {
			return taken, err
		}
		if time.Since(info.ModTime()) < Settle {
			continue
		}
		ok, err := s.watchFile(ctx, filepath.Join(dir, name), info)
		if err != nil {
			return taken, err
		}
		if ok {
			taken++
		}
	}
	return taken, nil
}

// watchFile imports one file of the folder and moves it; ok is false when
// it was left for later (it changed while it was read, or another run took
// it). An error is Schalter's own, not the file's.
func (s *Service) watchFile(ctx context.Context, path string, before fs.FileInfo) (ok bool, err error) {
	body, err := readStable(path, before)
	if errors.Is(err, errChanging) || errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sum, err := s.Import(ctx, FolderActor, filepath.Base(path), body)
	switch {
	case apperr.CodeOf(err) == apperr.Invalid:
		s.cfg.Log.WarnContext(ctx, "a bank notification file of the watched folder cannot be imported", "file", path, "err", err)
		err = fail(path, err)
	case err != nil:
		return false, err
	default:
		if sum.Repeated {
			s.cfg.Log.InfoContext(ctx, "a bank notification file was imported before; nothing booked", "file", path, "import", sum.Import.ID)
		}
		_, err = move(path, DoneDir)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // another run moved it meanwhile
	}
	return err == nil, err
}

// readStable reads a file of at most camt.MaxFileSize (and a byte more,
// so that the parser refuses a larger one) if it did not change while it
// was read.
func readStable(path string, before fs.FileInfo) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, camt.MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	after, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return nil, errChanging
	}
	return body, nil
}

// fail moves a file the import refused to failed/, with the reason next
// to it.
func fail(path string, problem error) error {
	to, err := move(path, FailedDir)
	if err != nil {
		return err
	}
	return os.WriteFile(to+".error.txt", []byte(Describe(filepath.Base(path), problem)), 0o640)
}

// move moves a file into the folder's subfolder sub under its name, or,
// when a file of that name is there already (a bank reusing names), under
// the name with a number added; it returns the new path.
func move(path, sub string) (string, error) {
	dir := filepath.Join(filepath.Dir(path), sub)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	name := filepath.Base(path)
	ext := filepath.Ext(name)
	to := filepath.Join(dir, name)
	for i := 2; ; i++ {
		if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
			break
		}
		to = filepath.Join(dir, strings.TrimSuffix(name, ext)+"-"+strconv.Itoa(i)+ext)
	}
	if err := os.Rename(path, to); err != nil {
		return "", err
	}
	return to, nil
}

// Describe is the text of an import's error for people: the message and,
// for a fault of the file, each field with its line.
func Describe(file string, err error) string {
	var b strings.Builder
	e, ok := apperr.As(err)
	if !ok {
		fmt.Fprintf(&b, "%s: %v\n", file, err)
		return b.String()
	}
	fmt.Fprintf(&b, "%s: %s\n", file, e.Message)
	for _, f := range e.Fields {
		b.WriteString("  ")
		if f.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", f.Line)
		}
		if f.Path != "" {
			b.WriteString(f.Path + ": ")
		}
		b.WriteString(f.Message)
		if f.Value != nil && f.Value != "" {
			fmt.Fprintf(&b, " (%v)", f.Value)
		}
		b.WriteString("\n")
	}
	return b.String()
}
