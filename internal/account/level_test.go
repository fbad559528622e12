package account

import (
	"slices"
	"testing"
)

func TestLevelFor(t *testing.T) {
	for _, tc := range []struct {
		methods []string
		want    Level
	}{
		{nil, LevelNone},
		{[]string{"pwd"}, LevelAccount},
		{[]string{"pwd", "otp"}, LevelTwoFactor},
		{[]string{"pwd", "sms"}, LevelTwoFactor},
		{[]string{"passkey"}, LevelTwoFactor},
		{[]string{"otp"}, LevelAccount},
		{[]string{"eid"}, LevelNone}, // the eID's level comes from its acr
	} {
		if got := LevelFor(tc.methods); got != tc.want {
			t.Errorf("LevelFor(%v) = %v, want %v", tc.methods, got, tc.want)
		}
	}
	for _, l := range []Level{LevelNone, LevelAccount, LevelTwoFactor, LevelEID} {
		if p, ok := ParseLevel(l.String()); !ok || p != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l.String(), p, ok)
		}
	}
	if _, ok := ParseLevel("high"); ok {
		t.Error("ParseLevel accepted an unknown name")
	}
}

func TestStepUp(t *testing.T) {
	for _, tc := range []struct {
		name         string
		earlier      []string
		earlierLevel Level
		proved       []string
		provedLevel  Level
		want         []string
		wantLevel    Level
	}{
		{"password, then a code: two factors", []string{"pwd"}, LevelAccount, []string{"otp"}, LevelAccount, []string{"pwd", "otp"}, LevelTwoFactor},
		{"the eID keeps its level", []string{"pwd"}, LevelAccount, []string{"eid"}, LevelEID, []string{"pwd", "eid"}, LevelEID},
		{"a code after the eID lowers nothing", []string{"eid"}, LevelEID, []string{"sms"}, LevelAccount, []string{"eid", "sms"}, LevelEID},
		{"the same method twice is listed once", []string{"pwd", "otp"}, LevelTwoFactor, []string{"otp"}, LevelAccount, []string{"pwd", "otp"}, LevelTwoFactor},
		{"an empty session value (split of \"\")", []string{""}, LevelNone, []string{"passkey"}, LevelTwoFactor, []string{"passkey"}, LevelTwoFactor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			methods, level := StepUp(tc.earlier, tc.earlierLevel, tc.proved, tc.provedLevel)
			if !slices.Equal(methods, tc.want) || level != tc.wantLevel {
				t.Errorf("StepUp = %v, %v; want %v, %v", methods, level, tc.want, tc.wantLevel)
			}
		})
	}
}
