package fraudtype

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// SplitCounts reports how many rows Split wrote to each side.
type SplitCounts struct {
	Train, Test int
}

// Split divides every CSV file of dir into out/train/<file> and
// out/test/<file>: per file (so per class in the one-class-per-file layout)
// a share ratio of the rows, drawn with seed, goes to train and the rest to
// test. Output files are UTF-8 with the header "content,label" whatever the
// input encoding. Split refuses to write inside a Git working tree, because
// evaluation data under research-only terms must not land in a repository.
func Split(dir, out string, ratio float64, seed uint64) (SplitCounts, error) {
	var counts SplitCounts
	if ratio <= 0 || ratio >= 1 {
		return counts, fmt.Errorf("fraudtype: split: ratio %v not in (0, 1)", ratio)
	}
	if repo, ok := insideGitTree(out); ok {
		return counts, fmt.Errorf("fraudtype: split: %s is inside the Git working tree %s; write the split outside any repository (e.g. under /tmp)", out, repo)
	}
	files, err := csvFiles(dir)
	if err != nil {
		return counts, err
	}
	for _, side := range []string{"train", "test"} {
		if err := os.MkdirAll(filepath.Join(out, side), 0o755); err != nil {
			return counts, fmt.Errorf("fraudtype: split: %w", err)
		}
	}
	for i, f := range files {
		rows, err := readCSV(f)
		if err != nil {
			return counts, err
		}
		// One stream per file, so adding a file does not reshuffle the others.
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		perm := rng.Perm(len(rows))
		cut := int(float64(len(rows))*ratio + 0.5)
		name := filepath.Base(f)
		if err := writeRows(filepath.Join(out, "train", name), rows, perm[:cut]); err != nil {
			return counts, err
		}
		if err := writeRows(filepath.Join(out, "test", name), rows, perm[cut:]); err != nil {
			return counts, err
		}
		counts.Train += cut
		counts.Test += len(rows) - cut
	}
	return counts, nil
}

func writeRows(path string, rows []csvRow, pick []int) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("fraudtype: split: %w", err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"content", "label"})
	for _, i := range pick {
		w.Write([]string{rows[i].content, rows[i].label})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("fraudtype: split: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("fraudtype: split: close %s: %w", path, err)
	}
	return nil
}

// insideGitTree reports whether path lies inside a Git working tree, and
// which.
func insideGitTree(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	for dir := abs; ; {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
