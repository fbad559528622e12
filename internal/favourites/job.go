package favourites

import "time"

// BoostEvery is how stale popularity from favourites may get: counts
// change slowly, and a refresh reads every list.
const BoostEvery = 10 * time.Minute

// BoostArgs is the periodic job that runs RefreshBoost (a jobs.Chore).
type BoostArgs struct{}

// Kind names the job in River.
func (BoostArgs) Kind() string { return "favourites_boost" }
