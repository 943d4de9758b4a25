//go:build !linux

package fraudtype

import "time"

// processCPU is not available on this system; benchmarks then report wall
// time only.
func processCPU() (time.Duration, bool) { return 0, false }
