package search

import (
	_ "embed"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// synonymsYAML is the curated synonym list (search/synonyms.yaml), built
// into the binary; editors change the file and redeploy.
//
//go:embed synonyms.yaml
var synonymsYAML []byte

// DefaultSettings returns the settings with the built-in synonym list.
func DefaultSettings() (Settings, error) {
	groups, err := ParseSynonyms(synonymsYAML)
	if err != nil {
		return Settings{}, err
	}
	return Settings{Synonyms: groups}, nil
}

// ParseSynonyms reads a synonym file: {groups: [[word, word, …], …]}.
func ParseSynonyms(b []byte) ([][]string, error) {
	var doc struct {
		Groups [][]string `json:"groups"`
	}
	if err := yaml.UnmarshalStrict(b, &doc); err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	for i, g := range doc.Groups {
		if len(g) < 2 {
			return nil, fmt.Errorf("synonyms: group %d has fewer than two words", i+1)
		}
		for _, w := range g {
			if strings.TrimSpace(w) == "" {
				return nil, fmt.Errorf("synonyms: group %d has an empty word", i+1)
			}
		}
	}
	return doc.Groups, nil
}
