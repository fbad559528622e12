package ledger

import (
	"fmt"
	"io/fs"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/schalter-ch/schalter/internal/store"
)

// Chart says what the city's finance system calls Schalter's accounts:
// an account number per kind of account (with overrides per fee type)
// and a cost centre per office. It is read from finance.yaml (the demo's
// is db/seed/finance.yaml) and applies when an account is first used; the
// finance office can change an account's number later through the admin
// API.
type Chart struct {
	// Numbers by account prefix: "receivable", "revenue", "vat:standard",
	// "clearing:stripe", "bank"; the longest matching prefix wins, so
	// "revenue:betreibungsamt:express" can differ from "revenue".
	Numbers map[string]string `json:"numbers"`
	// CostCentres by office slug.
	CostCentres map[string]string `json:"cost_centres"`
}

// LoadChart reads finance.yaml from fsys; a missing file is an empty chart.
func LoadChart(fsys fs.FS, name string) (Chart, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Chart{}, fmt.Errorf("ledger: reading the chart of accounts: %w", err)
	}
	var c Chart
	if err := yaml.UnmarshalStrict(raw, &c); err != nil {
		return Chart{}, fmt.Errorf("ledger: %s: %w", name, err)
	}
	return c, nil
}

// account describes an account for its first use.
func (c Chart) account(code string) store.LedgerAccount {
	parts := strings.Split(code, ":")
	a := store.LedgerAccount{Code: code, Name: code}
	switch parts[0] {
	case "receivable", "clearing", "bank":
		a.Kind = "asset"
	case "revenue":
		a.Kind = "revenue"
	default: // vat, unallocated
		a.Kind = "liability"
	}
	if (parts[0] == "receivable" || parts[0] == "revenue") && len(parts) > 1 {
		office := parts[1]
		a.Office = &office
		a.CostCentre = c.CostCentres[office]
	}
	best := -1
	for prefix, number := range c.Numbers {
		if (code == prefix || strings.HasPrefix(code, prefix+":")) && len(prefix) > best {
			a.Number, best = number, len(prefix)
		}
	}
	a.Name = names[parts[0]] + " " + strings.Join(parts[1:], " ")
	return a
}

// names are the German account names the export prints.
var names = map[string]string{
	"receivable":  "Debitoren",
	"revenue":     "Gebührenertrag",
	"vat":         "Geschuldete MWST",
	"clearing":    "Durchlaufkonto Zahlungsanbieter",
	"bank":        "Bank",
	"unallocated": "Nicht zugeordnete Zahlungseingänge",
}
