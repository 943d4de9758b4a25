package area_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// square is a GeoJSON polygon ring of a lon/lat square, closed, with many
// points along its edges (as real boundaries have).
func square(lon, lat, side float64) string {
	var pts []string
	const n = 300
	for i := 0; i < n; i++ {
		pts = append(pts, fmt.Sprintf("[%f,%f]", lon+side*float64(i)/n, lat))
	}
	pts = append(pts, fmt.Sprintf("[%f,%f]", lon+side, lat), fmt.Sprintf("[%f,%f]", lon+side, lat+side),
		fmt.Sprintf("[%f,%f]", lon, lat+side), fmt.Sprintf("[%f,%f]", lon, lat))
	return "[" + strings.Join(pts, ",") + "]"
}

func TestImportBoundaries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := importedCounty(t, d)
		feature := func(code, geom string) string {
			return `{"type":"Feature","properties":{"code":"` + code + `","name":"x"},"geometry":` + geom + `}`
		}
		poly := func(ring string) string { return `{"type":"Polygon","coordinates":[` + ring + `]}` }
		multi := func(rings ...string) string {
			var ps []string
			for _, r := range rings {
				ps = append(ps, "["+r+"]")
			}
			return `{"type":"MultiPolygon","coordinates":[` + strings.Join(ps, ",") + `]}`
		}
		good := `{"type":"FeatureCollection","features":[` + strings.Join([]string{
			feature("439901-PCS01", poly(square(112.90, 28.20, 0.1))), // south-west
			feature("439901-PCS02", poly(square(113.00, 28.20, 0.1))), // south-east
			feature("439901-PCS03", poly(square(112.90, 28.30, 0.2))), // north, larger
			feature("439901100000", multi(square(113.01, 28.21, 0.001), square(113.02, 28.22, 0.05))),
		}, ",") + `]}`
		rep, err := area.ImportBoundaries(ctx, d, root, auditor(), strings.NewReader(good))
		if err != nil || !rep.Stored || rep.Stations != 3 || rep.Towns != 1 {
			t.Fatalf("%+v %v", rep, err)
		}
		shape := func(code string) [][2]float64 {
			var p [][2]float64
			if err := json.Unmarshal([]byte(byCode(t, d, code).Shape), &p); err != nil {
				t.Fatalf("%s: %v", code, err)
			}
			for _, q := range p {
				if q[0] < -0.01 || q[0] > area.ShapeBox+0.01 || q[1] < -0.01 || q[1] > area.ShapeBox+0.01 {
					t.Fatalf("%s: point %v outside the box", code, q)
				}
			}
			return p
		}
		sw, se, north, town := shape("439901-PCS01"), shape("439901-PCS02"), shape("439901-PCS03"), shape("439901100000")
		if len(sw) > 400 || len(sw) < 4 {
			t.Errorf("simplified to %d points", len(sw))
		}
		minX := func(p [][2]float64) float64 {
			m := math.Inf(1)
			for _, q := range p {
				m = math.Min(m, q[0])
			}
			return m
		}
		minY := func(p [][2]float64) float64 {
			m := math.Inf(1)
			for _, q := range p {
				m = math.Min(m, q[1])
			}
			return m
		}
		if !(minX(sw) < minX(se)) || !(minY(north) < minY(sw)) || minY(north) > 0.01 {
			t.Errorf("orientation: sw x %v, se x %v, north y %v, sw y %v", minX(sw), minX(se), minY(north), minY(sw))
		}
		if len(town) < 4 || minX(town) <= minX(se) {
			t.Errorf("town shape (the larger polygon of the multipolygon) %v", town[:2])
		}
		// Unusable features: nothing changes.
		before := byCode(t, d, "439901-PCS01").Shape
		bad := `{"type":"FeatureCollection","features":[` + strings.Join([]string{
			feature("439901-PCS01", poly(square(100, 20, 1))),
			feature("NOPE", poly(square(112.9, 28.2, 0.1))),
			feature("439901100201", poly(square(112.9, 28.2, 0.1))),
			`{"type":"Feature","properties":{},"geometry":` + poly(square(1, 1, 1)) + `}`,
			feature("439901-PCS02", `{"type":"Point","coordinates":[1,2]}`),
		}, ",") + `]}`
		rep, err = area.ImportBoundaries(ctx, d, root, auditor(), strings.NewReader(bad))
		if !errors.Is(err, area.ErrBadBoundaries) || len(rep.Errors) != 4 || rep.Errors[0].Feature != 2 {
			t.Fatalf("bad: %v %+v", err, rep.Errors)
		}
		if byCode(t, d, "439901-PCS01").Shape != before {
			t.Error("a refused upload changed a shape")
		}
		if _, err := area.ImportBoundaries(ctx, d, root, auditor(), strings.NewReader(`{"type":"Feature"}`)); err == nil {
			t.Error("not a collection: accepted")
		}
	})
}
