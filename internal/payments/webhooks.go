package payments

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/store"
)

// maxWebhookBatch is the most events one transaction applies.
const maxWebhookBatch = 200

// webhookTimeout bounds a batch's transaction: it is no request's, so
// that one caller giving up never rolls back the others' events.
const webhookTimeout = 30 * time.Second

// webhookEvent is a verified event of a provider.
type webhookEvent struct {
	provider string
	payprovider.Event
}

// webhookCall is an event waiting for the batch that applies it.
type webhookCall struct {
	webhookEvent
	done chan error
}

// webhookBatcher applies verified events in batches, one transaction at
// a time: whatever arrived while a batch committed forms the next, so a
// single event waits for nothing and a rush of thousands shares the
// statements (group commit; River's job completer batches the same
// way). A failed batch is retried event by event, so that one event's
// fault is its caller's alone.
type webhookBatcher struct {
	s     *Service
	once  sync.Once
	calls chan webhookCall
	// commits counts the transactions (tests see the batching).
	commits atomic.Int64
}

// apply applies ev and returns when its transaction committed (nil) or
// failed; a caller that gives up first gets its context's error, and
// its event may still commit (the provider's retry is then a repetition).
func (b *webhookBatcher) apply(ctx context.Context, ev webhookEvent) error {
	b.once.Do(func() {
		b.calls = make(chan webhookCall, maxWebhookBatch)
		go b.run()
	})
	call := webhookCall{webhookEvent: ev, done: make(chan error, 1)}
	select {
	case b.calls <- call:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-call.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run applies batches for as long as the process lives.
func (b *webhookBatcher) run() {
	for first := range b.calls {
		batch := []webhookCall{first}
	more:
		for len(batch) < maxWebhookBatch {
			select {
			case c := <-b.calls:
				batch = append(batch, c)
			default:
				break more
			}
		}
		err := b.commit(batch)
		if err != nil && len(batch) > 1 {
			for _, c := range batch {
				c.done <- b.commit([]webhookCall{c})
			}
			continue
		}
		for _, c := range batch {
			c.done <- err
		}
	}
}

// commit applies a batch of events in one transaction, provider by
// provider (in name order, so locks are taken in one order).
func (b *webhookBatcher) commit(batch []webhookCall) error {
	ctx, cancel := context.WithTimeout(context.Background(), webhookTimeout)
	defer cancel()
	b.commits.Add(1)
	var providers []string
	for _, c := range batch {
		if !slices.Contains(providers, c.provider) {
			providers = append(providers, c.provider)
		}
	}
	slices.Sort(providers)
	return b.s.st.InTx(ctx, func(q *store.Queries) error {
		var changed []Payment
		for _, provider := range providers {
			var events []webhookEvent
			have := map[string]bool{}
			for _, c := range batch {
				if c.provider == provider && !have[c.ID] {
					have[c.ID] = true
					events = append(events, c.webhookEvent)
				}
			}
			ps, err := b.decideAll(ctx, q, provider, events)
			if err != nil {
				return err
			}
			changed = append(changed, ps...)
		}
		return b.s.changed(ctx, q, changed...)
	})
}

// decideAll records a provider's events (distinct ids) once each, locks
// the payments they are about, and decides each new event in its order
// against its payment's state so far; it returns the payments the events
// changed, each once.
func (b *webhookBatcher) decideAll(ctx context.Context, q *store.Queries, provider string, events []webhookEvent) ([]Payment, error) {
	// Recorded in id order, so that two servers' batches with the same
	// events never wait for each other crosswise.
	byID := slices.SortedFunc(slices.Values(events), func(a, b webhookEvent) int { return strings.Compare(a.ID, b.ID) })
	ids, types := make([]string, len(byID)), make([]string, len(byID))
	var sessions []string
	for i, ev := range byID {
		ids[i], types[i] = ev.ID, ev.Type
		if ev.Status.Session != "" {
			sessions = append(sessions, ev.Status.Session)
		}
	}
	fresh, err := q.WebhooksSeen(ctx, provider, ids, types)
	if err != nil || len(sessions) == 0 {
		return nil, err
	}
	locked, err := q.LockPaymentsBySessions(ctx, provider, sessions)
	if err != nil {
		return nil, err
	}
	now := map[string]Payment{} // the payments as the events so far left them
	var order []string
	for _, ev := range events {
		p, ok := locked[ev.Status.Session]
		if !fresh[ev.ID] || !ok {
			continue // a repetition, or a session that is not Schalter's
		}
		if cur, seen := now[ev.Status.Session]; seen {
			p = cur
		}
		if p, ok = b.s.decide(p, ev.Status, ev.Created); ok {
			if _, seen := now[ev.Status.Session]; !seen {
				order = append(order, ev.Status.Session)
			}
			now[ev.Status.Session] = p
		}
	}
	out := make([]Payment, len(order))
	for i, session := range order {
		out[i] = now[session]
	}
	return out, nil
}
