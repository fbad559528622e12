package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

// adminCmd runs `schalter admin …`.
func adminCmd(ctx context.Context, cfg *config.Config, st *store.Store, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "grant-app-role" {
		return grantAppRole(ctx, st, args[1:], stdout)
	}
	if len(args) == 0 || args[0] != "create-user" {
		return errors.New("usage: schalter admin create-user --email E --role admin|editor|staff [--office SLUG] [--password-stdin]\n" +
			"       schalter admin grant-app-role --role NAME")
	}
	fs := flag.NewFlagSet("create-user", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address (verified by whoever runs this command)")
	role := fs.String("role", "", "admin, editor or staff")
	office := fs.String("office", "", "office slug, for staff (repeat the command for several offices)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || *role == "" {
		return errors.New("--email and --role are required")
	}
	pw, generated := "", false
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		pw = strings.TrimRight(line, "\r\n")
	} else {
		pw, generated = generatePassword(), true
	}
	svc := &account.Service{Store: st, City: cfg.City.ShortName}
	acc, err := svc.CreateUser(ctx, *email, pw, store.Role{Role: *role, Office: *office})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s) with role %s\n", acc.Email, acc.ID, *role)
	if generated {
		// Printed once, to the terminal of the person creating the
		// account, never logged; they should change it at first login.
		fmt.Fprintf(stdout, "password: %s\n", pw)
	}
	return nil
}

// generatePassword makes a 24-character password from an alphabet without
// look-alike characters.
func generatePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// grantAppRole gives the role the server runs as its privileges; run it
// as the schema owner after every migration that adds tables.
func grantAppRole(ctx context.Context, st *store.Store, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("grant-app-role", flag.ContinueOnError)
	role := fs.String("role", "", "the existing database role the server connects as")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *role == "" {
		return errors.New("--role is required")
	}
	if err := st.GrantAppRole(ctx, *role); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "granted %s the server's privileges; it may only read and append to transparency_log\n", *role)
	return nil
}

// verifyLog checks the transparency log's chain; a broken chain is an
// error (exit code 1) so monitoring can run it.
func verifyLog(ctx context.Context, st *store.Store, stdout io.Writer) error {
	r, err := transparency.Verify(ctx, st)
	if err != nil {
		return err
	}
	if !r.OK {
		return fmt.Errorf("transparency log broken at entry %d (%s) after %d entries", r.BrokenAt, r.Reason, r.Entries-1)
	}
	fmt.Fprintf(stdout, "transparency log intact: %d entries, head %s\n", r.Entries, r.Head)
	return nil
}

// pruneLog removes transparency entries past the retention; run it as
// the schema owner, e.g. monthly.
func pruneLog(ctx context.Context, st *store.Store, stdout io.Writer) error {
	n, err := transparency.Prune(ctx, st, transparency.Retention)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "transparency log: %d entries older than two years removed; the chain stays verifiable from its anchor\n", n)
	return nil
}
