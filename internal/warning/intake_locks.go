package warning

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// Intake across replicas. Within one process the committer runs one batch
// at a time; two fanzha processes on one PostgreSQL could each read "no
// open warning for this person" and both create one (two officers, two
// deadlines), or both store the same (source, ref). So before a batch
// reads the people's open warnings, its transaction takes an advisory lock
// for each person (phone, ID number) and source reference it carries, held
// to commit: the second replica's batch waits, then reads the first one's
// warning and merges into it. Keys are hashed into personLockBuckets
// buckets (a batch of 10,000 warnings takes at most that many locks, well
// inside PostgreSQL's lock table) and taken in ascending order, so two
// batches never deadlock. SQLite has one writer and needs none.
const (
	personLockBuckets = 512
	personLockSpace   = 0x667a // the first key of pg_advisory_xact_lock(int, int): fanzha intake
)

// personLockKeys are the sorted buckets of the items' people and
// references.
func personLockKeys(items []*normalized) []int {
	set := map[int]bool{}
	add := func(kind, v string) {
		if v == "" {
			return
		}
		h := fnv.New32a()
		h.Write([]byte(kind))
		h.Write([]byte(v))
		set[int(h.Sum32()%personLockBuckets)] = true
	}
	for _, n := range items {
		add("p", n.Person.Phone)
		add("i", n.Person.IDNumber)
		add("r"+string(n.Source)+"|", n.SourceRef)
	}
	keys := make([]int, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lockPeople takes the batch's advisory locks (PostgreSQL only).
func lockPeople(ctx context.Context, tx *db.Tx, items []*normalized) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	keys := personLockKeys(items)
	if len(keys) == 0 {
		return nil
	}
	list := make([]string, len(keys))
	for i, k := range keys {
		list[i] = strconv.Itoa(k)
	}
	// unnest yields the array in its order, so the locks are taken
	// ascending; count() makes every row's call happen.
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(pg_advisory_xact_lock(?, k::int)) FROM unnest(string_to_array(?, ',')) AS k`,
		personLockSpace, strings.Join(list, ",")).Scan(&n); err != nil {
		return fmt.Errorf("intake locks: %w", err)
	}
	return nil
}
