package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/schalter-ch/schalter/internal/simoffice"
)

// runSim runs a simulated office: `schalter sim betreibungsamt`. It needs
// no database; it speaks to Schalter only over the connector's HTTP API.
func runSim(args []string) int {
	if len(args) == 0 || args[0] != "betreibungsamt" {
		fmt.Fprint(os.Stderr, "usage: schalter sim betreibungsamt [-addr 127.0.0.1:8091] [-delay 3s] [-status-callback=false] [-secret S] [-api-key K]\n")
		return 2
	}
	fs := flag.NewFlagSet("sim betreibungsamt", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8091", "address to listen on; deliveries are POSTed to /cases")
	delay := fs.Duration("delay", 3*time.Second, "how long the office takes before it starts on a case")
	callback := fs.Bool("status-callback", true, "set statuses through Schalter's office API; false: keep them for Schalter's status poll at /status")
	secret := fs.String("secret", simoffice.DevSecret, "the connector's signing secret")
	apiKey := fs.String("api-key", simoffice.DevAPIKey, "the office's API key for Schalter")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("component", "sim-betreibungsamt")
	office := &simoffice.Office{Secret: []byte(*secret), APIKey: *apiKey, Delay: *delay, Log: log, Client: &http.Client{Timeout: 30 * time.Second},
		NoStatusCallback: !*callback}
	mux := http.NewServeMux()
	mux.Handle("/cases", office)
	mux.HandleFunc("/status", office.Status)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Info("simulated Betreibungsamt listening", "addr", *addr, "delay", delay.String(), "status_callback", *callback)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("simulated Betreibungsamt", "err", err)
		return 1
	}
	office.Wait()
	return 0
}
