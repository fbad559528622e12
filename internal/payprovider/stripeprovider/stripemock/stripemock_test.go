package stripemock

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStart(t *testing.T) {
	t.Parallel()
	url := Start(t)
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	require.NoError(t, ping(context.Background(), url))
}

func TestStartProcessStop(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	url, stop, err := StartProcess(ctx)
	require.NoError(t, err)
	require.NoError(t, ping(ctx, url))

	stop()
	stop() // a second stop is harmless
	client := &http.Client{Timeout: 2 * time.Second}
	_, err = client.Get(url + "/v1/charges")
	require.Error(t, err, "stripe-mock still answers after stop")
}

func TestWatcher(t *testing.T) {
	t.Parallel()
	w := &watcher{found: make(chan string, 1)}
	// stripe-mock's output, in pieces as a pipe may deliver it.
	for _, chunk := range []string{"stripe-mock master\nRouting to 419 path(s)\nListening for HT", "TP at address: 127.0.0.1:41234\n", "Listening for HTTPS at address: 127.0.0.1:41235\n"} {
		_, err := w.Write([]byte(chunk))
		require.NoError(t, err)
	}
	require.Equal(t, "127.0.0.1:41234", <-w.found)
	require.Contains(t, w.String(), "Routing to 419")

	big := make([]byte, 10*keepOutput)
	n, err := w.Write(big)
	require.NoError(t, err)
	require.Equal(t, len(big), n, "everything is taken, so stripe-mock never blocks")
	require.LessOrEqual(t, len(w.head), keepOutput)
}
