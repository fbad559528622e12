package account

import "testing"

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
