// Package zone is fanzha's one time zone. Storage is UTC (Unix
// milliseconds, see internal/db); what people read and type — console and
// bulletin dates, file times, day and month buckets, legal terms counted in
// calendar months — is Asia/Shanghai. It is its own package, importing
// nothing of fanzha, so every package (domain, web, sim, cmd/fanzha) can use
// it without a cycle; the zone database is embedded (time/tzdata), so the
// binary and the tests need no zone files on the host.
package zone

import (
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai without relying on the host's zone files
)

// Shanghai is Asia/Shanghai.
var Shanghai = load()

// OffsetMillis is Asia/Shanghai's offset from UTC in milliseconds. It is
// fixed (no daylight saving since 1991), so day arithmetic on stored
// milliseconds may add it instead of converting every time.
const OffsetMillis = 8 * 3600 * 1000

func load() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// Unreachable with the embedded database; a fixed +08:00 is the
		// same zone since 1991 (no daylight saving).
		return time.FixedZone("CST", OffsetMillis/1000)
	}
	return loc
}

// ParseSpan reads a positive span of time as people type it in settings
// and files: a Go duration (30m, 2h, 90m) or whole days (7d). The callers
// word their own refusal.
func ParseSpan(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, false
		}
		return time.Duration(days) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, false
	}
	return d, true
}
