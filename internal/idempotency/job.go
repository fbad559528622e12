package idempotency

import "time"

// ExpireEvery is how often expired keys are deleted: a key lives MaxAge
// and at most this much longer.
const ExpireEvery = time.Hour

// ExpireArgs is the periodic job that runs Expire (a jobs.Chore).
type ExpireArgs struct{}

// Kind names the job in River.
func (ExpireArgs) Kind() string { return "idempotency_expire" }
