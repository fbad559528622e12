package fees_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/fees"
)

func TestLines(t *testing.T) {
	t.Parallel()
	label := map[string]string{"de": "x"}
	spec := &fees.Spec{Collect: fees.Before, Items: []fees.Item{
		{Type: "certificate", Amount: 2000, Label: label},
		{Type: "copy", Amount: 1000, Per: "copies", Beyond: 1, Label: label},
		{Type: "express", Amount: 500, If: &fees.Condition{Field: "express", Equals: true}, VAT: fees.VATStandard, Label: label},
	}}
	on := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		data  string
		types []string
		total int64
	}{
		{`{"copies":1}`, []string{"certificate"}, 2000},
		{`{"copies":3}`, []string{"certificate", "copy"}, 4000},
		{`{"copies":2,"express":true}`, []string{"certificate", "copy", "express"}, 3500},
		{`{"copies":2,"express":false}`, []string{"certificate", "copy"}, 3000},
		{`{}`, []string{"certificate"}, 2000},
	} {
		lines := spec.Lines(json.RawMessage(tc.data), on)
		var types []string
		for _, l := range lines {
			types = append(types, l.Type)
			require.Equal(t, int64(l.Quantity)*l.Unit, l.Amount)
		}
		require.Equal(t, tc.types, types, tc.data)
		require.Equal(t, tc.total, fees.Total(lines), tc.data)
	}
	require.Nil(t, (*fees.Spec)(nil).Lines(json.RawMessage(`{}`), on), "a free service has no lines")
	require.Equal(t, 30, (*fees.Spec)(nil).Term())
}

func TestVATShare(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	before := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		gross int64
		code  string
		on    time.Time
		want  int64
	}{
		{10810, fees.VATStandard, now, 810}, // 8.1 % of 100.00 net
		{10000, fees.VATStandard, now, 749}, // 749.31 rounds down
		{10260, fees.VATReduced, now, 260},
		{10770, fees.VATStandard, before, 770}, // 7.7 % before 2024
		{10000, fees.VATNone, now, 0},
		{0, fees.VATStandard, now, 0},
		{1, fees.VATStandard, now, 0}, // 0.075 Rappen
		{7, fees.VATStandard, now, 1}, // 0.52 rounds up
	} {
		require.Equal(t, tc.want, fees.VATShare(tc.gross, tc.code, tc.on), "%d %s %s", tc.gross, tc.code, tc.on)
	}
	require.True(t, fees.ValidType("dog-tax"))
	require.False(t, fees.ValidType("Dog Tax"))
}
