package bulletin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/warning"
)

// Dashboard is what the 大屏 shows: the live overview and a schematic map of
// the stations, each drawn from the polygon stored on its tree node
// (areas.shape: the demo county carries generated boundaries), coloured by
// this year's cases. A node without a shape gets a square in a grid, so a
// real county without boundaries still has a map.
type Dashboard struct {
	Overview Overview     `json:"overview"`
	Stations []StationMap `json:"stations"`
}

// StationMap is a station's polygon and year figures.
type StationMap struct {
	ID       int64        `json:"id"`
	Name     string       `json:"name"`
	Polygon  [][2]float64 `json:"polygon"`
	Cases    int64        `json:"cases"`
	LossFen  int64        `json:"loss_fen"`
	Warnings int64        `json:"warnings"`
}

// ComputeDashboard computes the dashboard of scope at now.
func ComputeDashboard(ctx context.Context, q db.Querier, scope area.Node, now time.Time, loc *time.Location) (Dashboard, error) {
	return ComputeDashboardCached(ctx, q, nil, scope, now, loc)
}

// ComputeDashboardCached is ComputeDashboard with the overview read through
// c (ComputeOverviewCached).
func ComputeDashboardCached(ctx context.Context, q db.Querier, c *warning.FigureCache, scope area.Node, now time.Time, loc *time.Location) (Dashboard, error) {
	o, err := ComputeOverviewCached(ctx, q, c, scope, now, loc)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Overview: o, Stations: []StationMap{}}
	stations, err := area.ByLevel(ctx, q, scope, area.Station)
	if err != nil {
		return d, err
	}
	// The map draws the county as it is now: a retired station is gone
	// from it (its history stays in the bulletins of past periods).
	stations = area.Live(stations)
	if scope.Level == area.Station {
		stations = []area.Node{scope}
	}
	if scope.Level.AboveCounty() {
		// A province or city draws its cities or counties, as the
		// overview counts them.
		if stations, err = area.Children(ctx, q, scope.ID); err != nil {
			return d, err
		}
		stations = area.Live(stations)
	}
	figs := map[int64]StationCount{}
	for _, s := range o.ByStation {
		figs[s.StationID] = s
	}
	cols := 1
	for cols*cols < len(stations) {
		cols++
	}
	for i, s := range stations {
		var poly [][2]float64
		if json.Unmarshal([]byte(s.Shape), &poly) != nil || len(poly) < 3 {
			x, y := float64(i%cols)*100, float64(i/cols)*100
			poly = [][2]float64{{x, y}, {x + 96, y}, {x + 96, y + 96}, {x, y + 96}}
		}
		f := figs[s.ID]
		d.Stations = append(d.Stations, StationMap{ID: s.ID, Name: s.Name, Polygon: poly, Cases: f.Cases, LossFen: f.LossFen, Warnings: f.Warnings})
	}
	return d, nil
}
