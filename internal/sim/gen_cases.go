package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/zone"
)

// pendingCase is a case to write: from a defrauded warning or a report.
type pendingCase struct {
	warningID  int64
	victim     person
	fraudType  fraudtype.Code
	reportedAt time.Time
	lossFen    int64
	text       string
}

// gang is a group of mule accounts with shared devices; victims' money
// enters at level 1 and is layered down to cash-out.
type gang struct {
	levels [][]string // account numbers by layer (0 receives from victims)
	ip     []string
	mac    []string
}

// muleNet holds the mule accounts and the transfers generated through them.
type muleNet struct {
	gangs   []*gang
	bank    map[string]int    // account -> bank index
	holder  map[string]person // account -> holder
	branch  map[string]string
	opened  map[string]time.Time
	hasStmt map[string]bool
	txs     []mtx
	now     time.Time
}

type mtx struct {
	from, to string // "" for cash
	at       time.Time
	amount   int64
	kind     string // transfer | cash | payment | income
	online   bool
	gang     *gang
}

func newMuleNet(rng *rand.Rand, c *county, now time.Time) *muleNet {
	m := &muleNet{bank: map[string]int{}, holder: map[string]person{}, branch: map[string]string{}, opened: map[string]time.Time{}, hasStmt: map[string]bool{}, now: now}
	for g := 0; g < 30; g++ {
		gg := &gang{}
		for k := 0; k < 2+rng.IntN(3); k++ {
			gg.ip = append(gg.ip, fmt.Sprintf("%d.%d.%d.%d", []int{113, 117, 183, 36, 223}[rng.IntN(5)], rng.IntN(256), rng.IntN(256), 1+rng.IntN(254)))
			gg.mac = append(gg.mac, fmt.Sprintf("%02X-%02X-%02X-%02X-%02X-%02X", rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256)))
		}
		layers := 3 + rng.IntN(3)
		for l := 0; l < layers; l++ {
			n := 2 + rng.IntN(4)
			if l == 0 {
				n = 3 + rng.IntN(4)
			}
			var accts []string
			for k := 0; k < n; k++ {
				bi := rng.IntN(len(banks))
				a := cardNumber(rng, bi)
				m.bank[a] = bi
				// Mule card holders: young people, many from the county
				// (cards sold by locals), opened shortly before use.
				h := c.newPerson(rng, 18+rng.IntN(12), now)
				m.holder[a] = h
				if rng.IntN(3) > 0 {
					m.branch[a] = bankShort(bi) + c.spec.stem() + "支行" + []string{"营业部", "城关分理处", "青石分理处"}[rng.IntN(3)]
				} else {
					m.branch[a] = bankShort(bi) + otherCities[rng.IntN(len(otherCities))] + "分行营业部"
				}
				m.opened[a] = now.Add(-time.Duration(30+rng.IntN(300)) * 24 * time.Hour)
				m.hasStmt[a] = true
				accts = append(accts, a)
			}
			gg.levels = append(gg.levels, accts)
		}
		m.gangs = append(m.gangs, gg)
	}
	return m
}

func bankShort(i int) string { return partner.BankName(banks[i].Name) }

func (m *muleNet) level1() []string {
	var out []string
	for _, g := range m.gangs {
		out = append(out, g.levels[0]...)
	}
	return out
}

// flow sends amount arriving at account acct (layer l of gang g) at time t
// onward: split among the next layer within minutes to hours, cash out at
// the last layer, sometimes left sitting (the money a freeze can still
// catch), sometimes sent to an account without a statement, rarely back to
// an earlier layer (a cycle).
func (m *muleNet) flow(rng *rand.Rand, g *gang, l int, acct string, t time.Time, amount int64, depth int) {
	if amount <= 0 || depth > 8 {
		return
	}
	// A share stays when the money is recent (the last two weeks): it has
	// not moved yet, and a freeze can still catch it. Older money has long
	// been moved on: mule accounts keep almost nothing.
	keep := int64(0)
	if m.now.Sub(t) < 14*24*time.Hour && rng.IntN(3) == 0 {
		keep = amount * int64(20+rng.IntN(80)) / 100
	}
	rest := amount - keep
	if rest <= 0 {
		return
	}
	lag := time.Duration(3+rng.IntN(90)) * time.Minute
	if rng.IntN(5) == 0 {
		lag = time.Duration(2+rng.IntN(30)) * time.Hour
	}
	at := t.Add(lag)
	if l == len(g.levels)-1 || rng.IntN(10) == 0 {
		// Cash out in ATM-sized pieces, or to an account abroad / without a
		// statement.
		if rng.IntN(3) > 0 {
			for rest > 0 {
				piece := min(rest, int64(2000+rng.IntN(3)*1000)*100)
				m.txs = append(m.txs, mtx{from: acct, at: at, amount: piece, kind: "cash", gang: g})
				rest -= piece
				at = at.Add(time.Duration(1+rng.IntN(5)) * time.Minute)
			}
		} else {
			ext := cardNumber(rng, rng.IntN(len(banks)))
			m.txs = append(m.txs, mtx{from: acct, to: ext, at: at, amount: rest, kind: "transfer", online: true, gang: g})
		}
		return
	}
	next := g.levels[l+1]
	parts := 1 + rng.IntN(3)
	amounts := splitAmount(rng, rest, parts)
	for _, a := range amounts {
		to := next[rng.IntN(len(next))]
		nl := l + 1
		if rng.IntN(25) == 0 && l > 0 {
			// A cycle: back to the first layer.
			to = g.levels[0][rng.IntN(len(g.levels[0]))]
			nl = 0
		}
		if to == acct {
			// The draw picked the paying account itself: the part is
			// taken out in cash instead.
			m.txs = append(m.txs, mtx{from: acct, at: at, amount: a, kind: "cash", gang: g})
			at = at.Add(time.Duration(1+rng.IntN(10)) * time.Minute)
			continue
		}
		m.txs = append(m.txs, mtx{from: acct, to: to, at: at, amount: a, kind: "transfer", online: true, gang: g})
		m.flow(rng, g, nl, to, at, a, depth+1)
		at = at.Add(time.Duration(1+rng.IntN(10)) * time.Minute)
	}
}

// splitAmount splits into n parts, each a round-ish number of yuan, under
// the thresholds that draw a bank's attention (49,999 rather than 50,000).
func splitAmount(rng *rand.Rand, total int64, n int) []int64 {
	if n <= 1 || total < int64(n)*10000 {
		return []int64{total}
	}
	out := make([]int64, 0, n)
	left := total
	for i := 0; i < n-1; i++ {
		a := left / int64(n-i)
		a = a / 100 * 100 // whole yuan
		if a > 4_999_900 {
			a = 4_999_900
		}
		out = append(out, a)
		left -= a
	}
	return append(out, left)
}

// genCases writes cases with victims and losing transfers, runs the money
// through the mule network, and writes the statements of the mule
// accounts and of ordinary accounts.
func genCases(ctx context.Context, tx *db.Tx, rng *rand.Rand, c *county, net *muleNet, fromWarnings []pendingCase, now time.Time, total int) (int, int, error) {
	cases := append([]pendingCase(nil), fromWarnings...)
	span := time.Duration(c.spec.days()) * 24 * time.Hour
	start := now.Add(-span)
	for len(cases) < total {
		age := drawAge(rng)
		at := start.Add(time.Duration(rng.Int64N(int64(span))))
		p := c.newPerson(rng, age, at)
		ft := drawFraudType(rng, age)
		loss := int64(math.Exp(math.Log(9000)+1.25*rng.NormFloat64())) * 100
		if loss < 20000 {
			loss = 20000 + rng.Int64N(80000)
		}
		cases = append(cases, pendingCase{victim: p, fraudType: ft, reportedAt: at, lossFen: loss, text: textFor(rng, ft)})
	}
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].reportedAt.Before(cases[j].reportedAt) })
	insCase, err := tx.Prepare(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, status, reported_at, investigator_id, summary,
		loss_fen, warning_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`)
	if err != nil {
		return 0, 0, err
	}
	defer insCase.Close()
	insVictim, err := tx.Prepare(ctx, `INSERT INTO victims (case_id, name, sex, birth_date, id_number, phone, address, area_id, occupation, loss_fen)
		VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`)
	if err != nil {
		return 0, 0, err
	}
	defer insVictim.Close()
	insTr, err := tx.Prepare(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, to_bank, to_name, amount_fen, channel)
		VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return 0, 0, err
	}
	defer insTr.Close()
	loc := zone.Shanghai
	victims := 0
	for i, pc := range cases {
		status := []string{"open", "investigating", "investigating", "solved", "closed"}[rng.IntN(5)]
		if now.Sub(pc.reportedAt) < 14*24*time.Hour {
			status = []string{"open", "investigating"}[rng.IntN(2)]
		}
		st := c.stations[stationIndex(c, pc.victim.v.node.StationID)]
		inv := c.investig[st.ID][0]
		if rng.IntN(3) == 0 {
			inv = c.centreInv[rng.IntN(len(c.centreInv))]
		}
		// Several victims of one gang now and then.
		vs := []person{pc.victim}
		if pc.warningID == 0 && rng.IntN(7) == 0 {
			for k := 0; k < 1+rng.IntN(4); k++ {
				vs = append(vs, c.newPerson(rng, drawAge(rng), pc.reportedAt))
			}
		}
		losses := []int64{pc.lossFen}
		var caseLoss = pc.lossFen
		for k := 1; k < len(vs); k++ {
			l := int64(math.Exp(math.Log(8000)+1.1*rng.NormFloat64())) * 100
			if l < 10000 {
				l = 10000
			}
			losses = append(losses, l)
			caseLoss += l
		}
		var caseID int64
		summary := fmt.Sprintf("%s，被骗 %s 元。", pc.text, yuanStr(caseLoss))
		if err := insCase.QueryRowContext(ctx, fmt.Sprintf("AJ%s%s-%06d", c.spec.Ref, pc.reportedAt.In(loc).Format("2006"), i+1), pc.victim.v.node.ID, st.ID,
			string(pc.fraudType), status, db.Millis(pc.reportedAt), inv.ID, summary, caseLoss, nullID(pc.warningID),
			db.Millis(pc.reportedAt), db.Millis(pc.reportedAt)).Scan(&caseID); err != nil {
			return 0, 0, fmt.Errorf("case %d: %w", i, err)
		}
		if pc.warningID != 0 {
			if _, err := tx.Exec(ctx, `UPDATE warnings SET case_id = ? WHERE id = ?`, caseID, pc.warningID); err != nil {
				return 0, 0, err
			}
		}
		g := net.gangs[int(fraudIndex(pc.fraudType)+rng.IntN(3))%len(net.gangs)]
		for k, v := range vs {
			var vid int64
			if err := insVictim.QueryRowContext(ctx, caseID, v.name, v.sex, v.birth, v.id, v.phone, v.address, v.v.node.ID, v.occupation, losses[k]).Scan(&vid); err != nil {
				return 0, 0, err
			}
			victims++
			// The losing transfers: 1–4, in the hours before the report.
			parts := 1 + rng.IntN(4)
			if losses[k] < 500000 {
				parts = 1
			}
			amounts := splitAmount(rng, losses[k], parts)
			from := cardNumber(rng, rng.IntN(len(banks)))
			t := pc.reportedAt.Add(-time.Duration(1+rng.IntN(20)) * time.Hour)
			for _, a := range amounts {
				to := g.levels[0][rng.IntN(len(g.levels[0]))]
				ch := []string{"mobile_banking", "bank_transfer", "mobile_banking", "counter"}[rng.IntN(4)]
				if _, err := insTr.ExecContext(ctx, caseID, vid, db.Millis(t), from, to, banks[net.bank[to]].Name, net.holder[to].name, a, ch); err != nil {
					return 0, 0, err
				}
				net.txs = append(net.txs, mtx{from: from, to: to, at: t, amount: a, kind: "victim", gang: g})
				net.flow(rng, g, 0, to, t, a, 0)
				t = t.Add(time.Duration(2+rng.IntN(30)) * time.Minute)
			}
		}
	}
	rows, importID, added, err := writeStatements(ctx, tx, rng, net, c, now)
	if err != nil {
		return len(cases), rows, err
	}
	return len(cases), rows, funds.NoteStatementRows(ctx, tx, importID, added)
}

func fraudIndex(c fraudtype.Code) int {
	for i, t := range fraudtype.All() {
		if t.Code == c {
			return i * 2
		}
	}
	return 0
}

func yuanStr(fen int64) string {
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

// writeStatements turns the generated transfers into statement rows of the
// mule accounts (in and out legs, with consistent running balances and a
// few ordinary transactions), plus statements of ordinary accounts.
func writeStatements(ctx context.Context, tx *db.Tx, rng *rand.Rand, net *muleNet, c *county, now time.Time) (int, int64, map[string]funds.StatementFlow, error) {
	type leg struct {
		at      time.Time
		amount  int64 // signed
		counter string
		cname   string
		cbank   string
		summary string
		channel string
		branch  string
		ip, mac string
	}
	legs := map[string][]leg{}
	for _, t := range net.txs {
		ip, mac := "", ""
		if t.online && t.gang != nil {
			ip, mac = t.gang.ip[rng.IntN(len(t.gang.ip))], t.gang.mac[rng.IntN(len(t.gang.mac))]
		}
		switch t.kind {
		case "cash":
			legs[t.from] = append(legs[t.from], leg{at: t.at, amount: -t.amount, summary: "ATM取款", channel: "ATM",
				branch: bankShort(net.bank[t.from]) + otherCities[rng.IntN(len(otherCities))] + "ATM"})
		default:
			if net.hasStmt[t.from] {
				legs[t.from] = append(legs[t.from], leg{at: t.at, amount: -t.amount, counter: t.to, cname: net.holder[t.to].name,
					summary: "网银转账", channel: "网上银行", ip: ip, mac: mac})
			}
			if net.hasStmt[t.to] {
				cname := net.holder[t.from].name
				summary := "转账"
				if t.kind == "victim" {
					summary = "跨行转入"
				}
				legs[t.to] = append(legs[t.to], leg{at: t.at.Add(time.Duration(rng.IntN(3)) * time.Second), amount: t.amount, counter: t.from,
					cname: cname, summary: summary, channel: "网上银行"})
			}
		}
	}
	// A few ordinary transactions on mule accounts so they are not
	// trivially clean: small incomes and payments.
	mules := make([]string, 0, len(net.hasStmt))
	for a := range net.hasStmt {
		mules = append(mules, a)
	}
	sort.Strings(mules) // map order is random; the county must not be
	for _, a := range mules {
		if len(legs[a]) == 0 {
			continue
		}
		first := legs[a][0].at
		for k := 0; k < 2+rng.IntN(4); k++ {
			at := first.Add(-time.Duration(1+rng.IntN(60*24)) * time.Hour)
			amt := int64(100+rng.IntN(3000)) * 100
			legs[a] = append(legs[a], leg{at: at, amount: amt, summary: "工资", channel: "代发"})
			legs[a] = append(legs[a], leg{at: at.Add(time.Duration(1+rng.IntN(48)) * time.Hour), amount: -amt / 2, summary: "快捷支付", channel: "第三方支付", cname: "财付通"})
		}
	}
	ins := newBulk(ctx, tx, "statement_rows", []string{"account", "at", "amount_fen", "balance_fen", "counter_account", "counter_name",
		"counter_bank", "summary", "channel", "branch", "ip", "mac", "import_id", "row_key", "source_row"})
	var importID int64
	if err := tx.QueryRow(ctx, `INSERT INTO statement_imports (at, file_name, mapping) VALUES (?,?,?) RETURNING id`,
		db.Millis(now), "演示县生成的银行流水", "generated").Scan(&importID); err != nil {
		return 0, 0, nil, err
	}
	insAcct, err := tx.Prepare(ctx, `INSERT INTO accounts (number, bank, branch, holder_name, holder_id_number, holder_phone, opened_at, kind)
		VALUES (?,?,?,?,?,?,?,'bank') ON CONFLICT (number) DO NOTHING`)
	if err != nil {
		return 0, 0, nil, err
	}
	defer insAcct.Close()
	accts := make([]string, 0, len(legs))
	for a := range legs {
		accts = append(accts, a)
	}
	sort.Strings(accts)
	n := 0
	added := make(map[string]funds.StatementFlow, len(accts))
	for _, a := range accts {
		ls := legs[a]
		sort.SliceStable(ls, func(i, j int) bool { return ls[i].at.Before(ls[j].at) })
		h := net.holder[a]
		if _, err := insAcct.ExecContext(ctx, a, banks[net.bank[a]].Name, net.branch[a], h.name, h.id, h.phone, db.Millis(net.opened[a])); err != nil {
			return n, 0, nil, err
		}
		// The opening balance covers the lowest point of the running sum,
		// so the account is never overdrawn and every row's balance is the
		// previous balance plus its amount.
		var run, low int64
		for _, l := range ls {
			run += l.amount
			low = min(low, run)
		}
		bal := int64(rng.IntN(500))*100 - low
		for i, l := range ls {
			bal += l.amount
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%d|%d|%s|%d", a, l.at.UnixMilli(), l.amount, l.counter, i)))
			if err := ins.add(a, db.Millis(l.at), l.amount, bal, l.counter, l.cname, l.cbank, l.summary, l.channel, l.branch,
				l.ip, l.mac, importID, hex.EncodeToString(sum[:16]), i+2); err != nil {
				return n, 0, nil, err
			}
			n++
			f := added[a]
			f.Add(l.amount, l.counter)
			added[a] = f
		}
	}
	if err := ins.flush(); err != nil {
		return n, 0, nil, err
	}
	_, err = tx.Exec(ctx, `UPDATE statement_imports SET rows_total = ?, rows_ok = ? WHERE id = ?`, n, n, importID)
	return n, importID, added, err
}
