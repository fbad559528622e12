package account

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store"
)

// DeviceLabel names a browser and system the way people recognise them
// ("Firefox auf Windows") from a User-Agent. Only this label is kept for
// the new-device notice, not the User-Agent itself.
func DeviceLabel(ua string) string {
	browser := "Unbekannter Browser"
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"}, {"Firefox/", "Firefox"},
		{"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := "unbekanntem System"
	for _, o := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	return browser + " auf " + system
}

// NotifyLogin tells the account's address about a login, and says so
// plainly when it came from a browser and system never seen on this
// account before ("new device"). It never fails the login.
func (s *Service) NotifyLogin(ctx context.Context, id uuid.UUID, userAgent string) {
	label := DeviceLabel(userAgent)
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		isNew, err := q.SeenDevice(ctx, id, label)
		if err != nil {
			return err
		}
		acc, err := q.AccountByID(ctx, id)
		if err != nil {
			return err
		}
		event := "login"
		if isNew {
			event = "new_device"
		}
		t := securityText(s.City, event)
		t.body = strings.Replace(t.body, "\n\nWenn Sie das waren", fmt.Sprintf("\n\nGerät: %s\n\nWenn Sie das waren", label), 1)
		return s.mailNotice(ctx, q, acc.Email, event, t)
	})
	if err != nil && s.Log != nil {
		s.Log.WarnContext(ctx, "login notification not queued", "err", err)
	}
}
