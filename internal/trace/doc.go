// Package trace is the fund trace engine (资金穿透): pure computation on
// statement rows held in memory. It reads no database and starts no
// goroutine; internal/funds loads a case's statements, calls Trace and
// turns the result into candidates, freeze requests and return plans.
//
// From victims' losing transfers (Start), the engine follows the money
// forward through the accounts whose statements are loaded, row by row in
// each statement's order, under an allocation rule (rules.go: FIFO,
// proportional, and the lowest-intermediate-balance cap on either). Money
// leaving a traced account either continues — the outflow is matched to an
// inflow row of a loaded statement — or ends as a leaf with its type (cash,
// payment, fee, an account without statement, …). Conservation holds
// exactly in fen: for each victim, the leaves plus what still sits in
// traced accounts at AsOf equal what she lost (Result.CheckConservation).
// docs/TRACE.md has the definitions.
//
// Files:
//
//   - ledger.go: the Ledger (every loaded row in flat arrays, account by
//     account) and the LedgerBuilder that interns accounts, sorts rows,
//     infers opening balances and links the two ends of each transfer;
//     index.go and table.go are its account number index and the small
//     per-trace hash table.
//   - trace.go: Trace, the simulation in global time order over the
//     accounts the money reaches, and the flow graph it returns (Result:
//     nodes, edges, per-victim sums); skip.go starts a newly reached account
//     near the money's arrival instead of at its first row.
//   - rules.go: the allocation rules and the largest-remainder split in fen.
//   - explain.go: where an amount at a node came from (Result.Explain), and
//     the Chinese labels of leaf types.
//   - reach.go: the envelope — every account reachable within a number of
//     transfers of increasing time, whatever the rule — equal to the
//     recursive SQL query ReachSQL (tested against PostgreSQL).
//   - tcr5.go: LDBC FinBench complex read 5 on the same ledger, and its SQL.
//   - csv.go, gen.go: the transfer CSV and the seeded data set of
//     fanzha bench trace.
//
// A Ledger is read-only once built and safe for concurrent traces; each
// trace takes its working memory from the ledger's pool and returns it.
package trace
