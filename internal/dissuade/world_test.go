package dissuade_test

import (
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/testworld"
)

// world is the shared test county (internal/testworld): two stations, a
// dissuader on duty in each, a duty officer at the centre, and the intake.
type world struct{ *testworld.World }

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	return &world{testworld.New(t, d)}
}
