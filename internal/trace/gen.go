package trace

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// The seeded transaction set of fanzha bench trace: background transfers
// among all accounts, and planted fraud chains. Each planted case has one to
// four victims paying a first layer of mule accounts; the money is then
// layered through 3 to 8 layers of mules (fan-out to up to three mules of
// the next layer, merges where two mules pay the same one, now and then a
// cycle back to an earlier layer), each mule forwarding 90–100 % of what it
// got 1 to 90 minutes later, and leaves the last layer in cash withdrawals
// and payments to merchants, a little staying behind. Mules are ordinary
// accounts and carry background traffic too. Output is the transfer CSV of
// csv.go, in time order.

// GenConfig sizes the generated set.
type GenConfig struct {
	Seed      uint64
	Transfers int           // lines in total (background + planted)
	Accounts  int           // accounts 0 … Accounts−1
	Victims   int           // planted victim transfers (the traces of the benchmark)
	Start     time.Time     // zero: 2026-01-01 UTC
	Span      time.Duration // zero: 90 days
}

// GenResult tells what was generated.
type GenResult struct {
	Starts   []Start // the planted victims' transfers
	Lines    int
	Planted  int // lines of the planted chains, victims' transfers included
	Accounts int
}

// BenchAccount is the account number of generated account k: a
// 16-digit card number.
func BenchAccount(k int) string { return fmt.Sprintf("6217%012d", k) }

type genTransfer struct {
	at       int64
	from, to int32 // to −1: cash
	amt      int64
}

// WriteBenchCSV writes the generated transfer set to w.
func WriteBenchCSV(w io.Writer, cfg GenConfig) (GenResult, error) {
	if cfg.Accounts < 100 || cfg.Transfers < cfg.Accounts/10 || cfg.Victims < 1 {
		return GenResult{}, fmt.Errorf("trace bench: need ≥ 100 accounts, transfers ≥ accounts/10, ≥ 1 victim (got %+v)", cfg)
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Span <= 0 {
		cfg.Span = 90 * 24 * time.Hour
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7a11ce))
	t0, span := cfg.Start.UnixMilli(), cfg.Span.Milliseconds()
	n := int32(cfg.Accounts)
	acct := func() int32 { return rng.Int32N(n) }
	logAmount := func(lo, hi float64) int64 { // fen, log-uniform
		return int64(math.Exp(math.Log(lo) + rng.Float64()*(math.Log(hi)-math.Log(lo))))
	}
	minute := int64(60_000)

	// Planted cases.
	var planted []genTransfer
	var starts []Start
	type arrival struct {
		layer, mule int
		amt, at     int64
	}
	for len(starts) < cfg.Victims {
		depth := 3 + rng.IntN(6)
		layers := make([][]int32, depth)
		for i := range layers {
			size := 1 + rng.IntN(3)
			if i > 0 {
				size = 1 + rng.IntN(4)
			}
			for j := 0; j < size; j++ {
				layers[i] = append(layers[i], acct())
			}
		}
		tc := t0 + rng.Int64N(span*8/10)
		var queue []arrival
		for v := 0; v < 1+rng.IntN(4) && len(starts) < cfg.Victims; v++ {
			victim := acct()
			m := rng.IntN(len(layers[0]))
			for victim == layers[0][m] {
				victim = acct()
			}
			a := logAmount(100_000, 50_000_000) // 1,000 – 500,000 yuan
			at := tc + rng.Int64N(6*60)*minute + rng.Int64N(minute)
			planted = append(planted, genTransfer{at, victim, layers[0][m], a})
			starts = append(starts, Start{VictimID: int64(len(starts) + 1), TransferID: int64(len(starts) + 1),
				At: time.UnixMilli(at).UTC(), FromAccount: BenchAccount(int(victim)), ToAccount: BenchAccount(int(layers[0][m])), AmountFen: a})
			queue = append(queue, arrival{0, m, a, at})
		}
		budget := 60 // forwarding transfers of this case before fan-out stops
		cycled := false
		for len(queue) > 0 {
			ar := queue[0]
			queue = queue[1:]
			from := layers[ar.layer][ar.mule]
			if ar.layer == depth-1 {
				// Cash out (or pay merchants) 95 %, a little stays.
				out := ar.amt * 95 / 100
				k := 1 + rng.IntN(3)
				for j := 0; j < k && out > 0; j++ {
					part := out / int64(k-j)
					out -= part
					to := int32(-1)
					if rng.IntN(10) < 3 {
						to = acct() // a merchant
						if to == from {
							to = -1
						}
					}
					planted = append(planted, genTransfer{ar.at + (5+rng.Int64N(55))*minute + rng.Int64N(minute), from, to, part})
				}
				continue
			}
			fwd := ar.amt * int64(90+rng.IntN(11)) / 100
			k := 1
			if budget > 0 {
				k = 1 + rng.IntN(3)
			}
			for j := 0; j < k && fwd > 0; j++ {
				part := fwd / int64(k-j)
				fwd -= part
				nl, nm := ar.layer+1, rng.IntN(len(layers[ar.layer+1]))
				if !cycled && ar.layer >= 2 && rng.IntN(10) == 0 {
					nl = rng.IntN(ar.layer) // back to an earlier layer: a cycle
					nm = rng.IntN(len(layers[nl]))
					cycled = true
				}
				to := layers[nl][nm]
				if to == from {
					continue
				}
				at := ar.at + (1+rng.Int64N(90))*minute + rng.Int64N(minute)
				planted = append(planted, genTransfer{at, from, to, part})
				budget--
				queue = append(queue, arrival{nl, nm, part, at})
			}
		}
	}
	slices.SortStableFunc(planted, func(a, b genTransfer) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	background := max(0, cfg.Transfers-len(planted))

	// Account numbers, preformatted.
	names := make([]byte, 0, 16*cfg.Accounts)
	for k := 0; k < cfg.Accounts; k++ {
		names = append(names, BenchAccount(k)...)
	}
	name := func(a int32) []byte { return names[16*int(a) : 16*int(a)+16] }

	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(TransferCSVHeader + "\n")
	var line []byte
	write := func(g genTransfer) {
		line = append(line[:0], name(g.from)...)
		line = append(line, ',')
		if g.to >= 0 {
			line = append(line, name(g.to)...)
		}
		line = append(line, ',')
		line = strconv.AppendInt(line, g.amt, 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, g.at, 10)
		if g.to >= 0 {
			line = append(line, ",t\n"...)
		} else {
			line = append(line, ",c\n"...)
		}
		bw.Write(line)
	}
	// Background: one transfer per time slot (so lines stay in time order),
	// from any account (busier ones more often), 3 % cash withdrawals.
	busy := max(1, n/100)
	p := 0
	for i := 0; i < background; i++ {
		at := t0 + int64(i)*span/int64(background) + rng.Int64N(max(1, span/int64(background)))
		for p < len(planted) && planted[p].at <= at {
			write(planted[p])
			p++
		}
		from := acct()
		if rng.IntN(10) < 3 {
			from = rng.Int32N(busy) * 100 % n
		}
		g := genTransfer{at, from, acct(), logAmount(100, 5_000_000)}
		if rng.IntN(100) < 3 {
			g.to = -1
		} else if g.to == g.from {
			g.to = (g.to + 1) % n
		}
		write(g)
	}
	for ; p < len(planted); p++ {
		write(planted[p])
	}
	if err := bw.Flush(); err != nil {
		return GenResult{}, err
	}
	return GenResult{Starts: starts, Lines: background + len(planted), Planted: len(planted), Accounts: cfg.Accounts}, nil
}
