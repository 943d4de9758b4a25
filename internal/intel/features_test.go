package intel

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/zone"
)

// base is a Monday, 10:00 Asia/Shanghai.
var base = time.Date(2026, 3, 2, 10, 0, 0, 0, zone.Shanghai).UnixMilli()

const minute = int64(60_000)

type tx struct {
	from, to string // "" is cash
	at       int64  // minutes after base
	yuan     int64
	region   string
}

// world builds Flows from hand-written transfers.
func world(t *testing.T, txs []tx, opened map[string]int64, balance map[string]int64) *Flows {
	t.Helper()
	b := NewFlowBuilder(len(txs))
	id := func(s string) int32 {
		if s == "" {
			return Cash
		}
		return b.Account(s)
	}
	for _, x := range txs {
		b.Add(id(x.from), id(x.to), base+x.at*minute, x.yuan*100, b.Region(x.region))
	}
	for a, days := range opened {
		b.SetOpened(b.Account(a), base+days*dayMs)
	}
	for a, fen := range balance {
		b.SetBalance(b.Account(a), fen)
	}
	return b.Build()
}

func vec(t *testing.T, f *Flows, acct string) Vector {
	t.Helper()
	id, ok := f.ID(acct)
	if !ok {
		t.Fatalf("no account %s", acct)
	}
	return f.vector(newScratch(f), id)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestFeaturesOnHandBuiltStatements(t *testing.T) {
	tests := []struct {
		name    string
		txs     []tx
		opened  map[string]int64
		balance map[string]int64
		acct    string
		feature Feature
		want    float64
	}{
		// M receives 1000 and sends 900 on 30 minutes later, 100 after 5 h.
		{"fast out 1h", []tx{{"V", "M", 0, 1000, ""}, {"M", "X", 30, 900, ""}, {"M", "Y", 300, 100, ""}}, nil, nil, "M", FastOut1h, 0.9},
		{"fast out 24h", []tx{{"V", "M", 0, 1000, ""}, {"M", "X", 30, 900, ""}, {"M", "Y", 300, 100, ""}}, nil, nil, "M", FastOut24h, 1},
		// Money sent after two days is not fast.
		{"slow out", []tx{{"V", "M", 0, 1000, ""}, {"M", "X", 3000, 1000, ""}}, nil, nil, "M", FastOut24h, 0},
		// An outflow before any inflow matches nothing.
		{"out before in", []tx{{"M", "X", 0, 500, ""}, {"V", "M", 10, 500, ""}}, nil, nil, "M", FastOut1h, 0},
		{"pass through", []tx{{"V", "M", 0, 1000, ""}, {"M", "X", 30, 800, ""}}, nil, nil, "M", PassThrough, 0.8},
		// The balance says 500 of the 1000 stayed: 0.8 × (1 − 0.5).
		{"pass through with balance", []tx{{"V", "M", 0, 1000, ""}, {"M", "X", 30, 800, ""}}, nil, map[string]int64{"M": 50000}, "M", PassThrough, 0.4},
		{"degree", []tx{{"A", "M", 0, 10, ""}, {"B", "M", 1, 10, ""}, {"M", "C", 2, 10, ""}, {"A", "M", 3, 10, ""}}, nil, nil, "M", Degree, 3},
		// Three counterparties over two active days.
		{"per day", []tx{{"A", "M", 0, 10, ""}, {"B", "M", 1, 10, ""}, {"M", "C", 24 * 60, 10, ""}}, nil, nil, "M", PerDay, 1.5},
		// 9,990 and 49,000 are just under 1万 and 5万; 8,000 is not.
		{"sub threshold", []tx{{"A", "M", 0, 9990, ""}, {"M", "B", 1, 49000, ""}, {"M", "C", 2, 8000, ""}, {"D", "M", 3, 100, ""}}, nil, nil, "M", SubThreshold, 0.5},
		// Four transfers to C on one day: three repeats; one to C the next day is not.
		{"repeated splits", []tx{{"M", "C", 0, 100, ""}, {"M", "C", 1, 100, ""}, {"M", "C", 2, 90, ""}, {"M", "C", 3, 80, ""}, {"M", "C", 24 * 60, 80, ""}}, nil, nil, "M", RepeatedSplits, 3},
		// 10:00 + 16 h = 02:00 the next night; 10:00 + 14 h = 00:00 counts, 10:00 + 20 h = 06:00 does not.
		{"night", []tx{{"A", "M", 16 * 60, 10, ""}, {"A", "M", 14 * 60, 10, ""}, {"A", "M", 20 * 60, 10, ""}, {"A", "M", 0, 10, ""}}, nil, nil, "M", Night, 0.5},
		// Opened 30 days before its first flow of 1,000,000 yuan: (1 − 30/90) × 1.
		{"young large flow", []tx{{"A", "M", 0, 500000, ""}, {"M", "B", 10, 500000, ""}}, map[string]int64{"M": -30}, nil, "M", YoungLarge, 2.0 / 3},
		{"old account", []tx{{"A", "M", 0, 500000, ""}, {"M", "B", 10, 500000, ""}}, map[string]int64{"M": -400}, nil, "M", YoungLarge, 0},
		// 600 of 1000 withdrawn in cash 2 h later, 400 sent by transfer.
		{"cash out", []tx{{"V", "M", 0, 1000, ""}, {"M", "", 120, 600, ""}, {"M", "X", 130, 400, ""}}, nil, nil, "M", CashOut, 0.6},
		{"source regions", []tx{{"A", "M", 0, 10, "bank:工行北京"}, {"B", "M", 1, 10, "bank:建行广州"}, {"C", "M", 2, 10, "bank:工行北京"}, {"D", "M", 3, 10, ""}}, nil, nil, "M", SourceRegions, 2},
		// Money went to B and C and came back from B.
		{"round trip", []tx{{"M", "B", 0, 10, ""}, {"M", "C", 1, 10, ""}, {"B", "M", 2, 10, ""}, {"D", "M", 3, 10, ""}}, nil, nil, "M", RoundTrip, 1},
		// M deals with A, B, C, D; A–B (twice, both ways) and C→D transact
		// with each other: two closed pairs. B–X does not count (X is not
		// M's counterparty), nor does cash.
		{"closed triads", []tx{{"A", "M", 0, 10, ""}, {"M", "B", 1, 10, ""}, {"M", "C", 2, 10, ""}, {"D", "M", 3, 10, ""},
			{"A", "B", 4, 10, ""}, {"B", "A", 5, 10, ""}, {"C", "D", 6, 10, ""}, {"B", "X", 7, 10, ""}, {"B", "", 8, 10, ""}}, nil, nil, "M", ClosedTriads, 2},
		// M pays B on two days (recurring), receives from B on one day (not),
		// pays C twice on one day (a repeat, not recurring) and receives from
		// D on three days (recurring).
		{"recurring peers", []tx{{"M", "B", 0, 10, ""}, {"M", "B", 24 * 60, 10, ""}, {"B", "M", 5, 10, ""}, {"M", "C", 10, 10, ""}, {"M", "C", 11, 10, ""},
			{"D", "M", 0, 10, ""}, {"D", "M", 2 * 24 * 60, 10, ""}, {"D", "M", 3 * 24 * 60, 10, ""}}, nil, nil, "M", RecurringPeers, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := world(t, tc.txs, tc.opened, tc.balance)
			v := vec(t, f, tc.acct)
			if !near(v.Value[tc.feature], tc.want) {
				t.Fatalf("%s = %v, want %v", Features[tc.feature].Code, v.Value[tc.feature], tc.want)
			}
			for k := Feature(0); k < NumFeatures; k++ {
				if v.Signal[k] < 0 || v.Signal[k] > 1 || math.IsNaN(v.Signal[k]) {
					t.Fatalf("signal %s = %v outside [0, 1]", Features[k].Code, v.Signal[k])
				}
			}
		})
	}
}

func TestLinkFeatures(t *testing.T) {
	// C1 and C2 are confirmed; M deals with both and with N. R1..R3 are
	// mules by behaviour (fast splits), so P, dealing with all three, has
	// three risky peers.
	var txs []tx
	txs = append(txs, tx{"C1", "M", 0, 100, ""}, tx{"M", "C2", 5, 100, ""}, tx{"N", "M", 6, 5, ""})
	for i, r := range []string{"R1", "R2", "R3"} {
		off := int64(i * 100)
		txs = append(txs, tx{"P", r, off, 5000, ""})
		for k := int64(0); k < 5; k++ {
			txs = append(txs, tx{r, "S" + r, off + 1 + k, 999, ""})
		}
	}
	f := world(t, txs, nil, nil)
	conf := make([]bool, f.Accounts())
	for _, a := range []string{"C1", "C2"} {
		id, _ := f.ID(a)
		conf[id] = true
	}
	s := ScoreFlows(f, DefaultWeights(), conf)
	m, _ := f.ID("M")
	if got := s.Value[m][CaseLinks]; got != 2 {
		t.Fatalf("case links of M = %v, want 2", got)
	}
	p, _ := f.ID("P")
	for _, r := range []string{"R1", "R2", "R3"} {
		id, _ := f.ID(r)
		if !s.Watch(id) && s.Centi[id]-s.Weights.centi(RiskyPeers, s.Signal[id][RiskyPeers]) < s.Weights.ThresholdCenti() {
			t.Fatalf("%s first-pass score %v below the threshold; the test needs it risky", r, s.Score(id))
		}
	}
	if got := s.Value[p][RiskyPeers]; got != 3 {
		t.Fatalf("risky peers of P = %v, want 3", got)
	}
	// Exposure: each risky peer weighs 1 / its number of counterparties.
	var want float64
	for _, r := range []string{"R1", "R2", "R3"} {
		id, _ := f.ID(r)
		want += 1 / float64(s.Value[id][Degree])
	}
	if got := float64(s.Value[p][RiskyExposure]); math.Abs(got-want) > 1e-6 || want <= 0 {
		t.Fatalf("risky exposure of P = %v, want %v", got, want)
	}
}

// TestExplanationAddsUp checks on random worlds that every account's
// contributions add up to its score exactly.
func TestExplanationAddsUp(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 5; round++ {
		b := NewFlowBuilder(0)
		n := 50 + r.IntN(100)
		for i := 0; i < n; i++ {
			b.Account(string(rune('A'+i%26)) + string(rune('a'+i/26)))
			if r.IntN(3) == 0 {
				b.SetOpened(int32(i), base-int64(r.IntN(200))*dayMs)
			}
		}
		for i := 0; i < 2000; i++ {
			from, to := int32(r.IntN(n)), int32(r.IntN(n))
			if r.IntN(20) == 0 {
				to = Cash
			}
			b.Add(from, to, base+int64(r.IntN(30*24*60))*minute, int64(1+r.IntN(2_000_000)), int32(r.IntN(3))-1)
		}
		f := b.Build()
		conf := make([]bool, n)
		conf[r.IntN(n)] = true
		w := DefaultWeights()
		w.Points[Night] = 3.33 // awkward decimals on purpose
		w.Step[Degree] = 1.117
		w.Step[ClosedTriads] = 2.505
		w.Points[RiskyExposure] = 7.77
		s := ScoreFlows(f, w, conf)
		for id := int32(0); id < int32(f.Accounts()); id++ {
			var sum float64
			var centi int64
			for _, c := range s.Explain(id) {
				sum += c.Points
				centi += int64(math.Round(c.Points * 100))
			}
			if centi != s.Centi[id] {
				t.Fatalf("account %d: contributions add up to %d hundredths, score %d", id, centi, s.Centi[id])
			}
			if math.Abs(sum-s.Score(id)) > 1e-6 {
				t.Fatalf("account %d: contributions %v, score %v", id, sum, s.Score(id))
			}
		}
	}
}

func TestFitRecoversInformativeFeatures(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var ex []Example
	for i := 0; i < 2000; i++ {
		var e Example
		e.Mule = r.IntN(10) == 0
		for f := Feature(0); f < NumFeatures; f++ {
			e.Signal[f] = float32(r.Float64() * 0.3)
		}
		if e.Mule {
			e.Signal[FastOut1h] = float32(0.6 + 0.4*r.Float64())
			e.Signal[RepeatedSplits] = float32(0.5 + 0.5*r.Float64())
		}
		ex = append(ex, e)
	}
	w, rep, err := Fit(ex, DefaultWeights(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Points[FastOut1h] <= 0 || w.Points[RepeatedSplits] <= 0 {
		t.Fatalf("informative features not weighted: %+v", w.Points)
	}
	for f := Feature(0); f < NumFeatures; f++ {
		if w.Points[f] < 0 {
			t.Fatalf("negative weight for %s", Features[f].Code)
		}
	}
	if rep.Precision < 0.95 || rep.Recall < 0.95 {
		t.Fatalf("fit precision %.3f recall %.3f on separable data", rep.Precision, rep.Recall)
	}
	if _, _, err := Fit(ex[:1], DefaultWeights(), nil); err == nil {
		t.Fatal("fit with one class should fail")
	}
}

// TestFitStep checks that a feature whose presence alone marks mules gets
// points for presence, and that steps survive the JSON round trip.
func TestFitStep(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var ex []Example
	for i := 0; i < 3000; i++ {
		var e Example
		e.Mule = r.IntN(10) == 0
		for f := Feature(0); f < NumFeatures; f++ {
			e.Signal[f] = float32(r.Float64() * 0.3)
		}
		e.Signal[ClosedTriads] = 0
		if e.Mule {
			// present, but often weakly: presence is what tells
			e.Signal[ClosedTriads] = float32(0.05 + 0.1*r.Float64())
		}
		ex = append(ex, e)
	}
	w, _, err := Fit(ex, DefaultWeights(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Step[ClosedTriads] <= 10 {
		t.Fatalf("presence of closed triads gets %v points, want > 10", w.Step[ClosedTriads])
	}
	for f := Feature(0); f < NumFeatures; f++ {
		if w.Points[f] < 0 || w.Step[f] < 0 {
			t.Fatalf("negative weight for %s", Features[f].Code)
		}
	}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var back Weights
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Step != w.Step || back.Points != w.Points || back.Threshold != w.Threshold {
		t.Fatalf("round trip: %s gave %+v", b, back)
	}
}

func TestEvaluate(t *testing.T) {
	scores := []int64{90, 80, 70, 60, 50}
	labels := []bool{true, false, true, false, false}
	m := Evaluate(scores, labels, 65)
	// AP = (1/1 + 2/3) / 2
	if !near(m.AvgPrecision, (1+2.0/3)/2) {
		t.Fatalf("AP %v", m.AvgPrecision)
	}
	if m.AboveThreshold != 3 || !near(m.Precision, 2.0/3) || !near(m.Recall, 1) {
		t.Fatalf("threshold figures %+v", m)
	}
}

// TestClosedTriadsBruteForce compares the oriented triangle count with the
// definition (pairs of counterparties with a transfer between them) on
// random worlds with hubs, repeats, both directions and cash.
func TestClosedTriadsBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for round := 0; round < 5; round++ {
		b := NewFlowBuilder(0)
		n := 30 + r.IntN(60)
		for i := 0; i < n; i++ {
			b.Account(string(rune('A'+i%26)) + string(rune('a'+i/26)))
		}
		for i := 0; i < 400; i++ {
			from, to := int32(r.IntN(n)), int32(r.IntN(n))
			if r.IntN(4) == 0 {
				from = int32(r.IntN(3)) // hubs
			}
			if r.IntN(15) == 0 {
				to = Cash
			}
			b.Add(from, to, base+int64(i)*minute, 100, -1)
		}
		f := b.Build()
		got := f.triadCounts()
		for a := int32(0); a < int32(n); a++ {
			cps := f.Counterparties(a)
			linked := map[[2]int32]bool{}
			for _, m := range cps {
				for _, c := range f.Counterparties(m) {
					linked[[2]int32{min(m, c), max(m, c)}] = true
				}
			}
			want := int32(0)
			for i := range cps {
				for j := i + 1; j < len(cps); j++ {
					if cps[i] != a && cps[j] != a && linked[[2]int32{min(cps[i], cps[j]), max(cps[i], cps[j])}] {
						want++
					}
				}
			}
			if got[a] != want {
				t.Fatalf("round %d account %d: %d closed triads, want %d", round, a, got[a], want)
			}
		}
	}
}
