package intel

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
)

// AMLSim folders (IBM AMLSim's sample output: nodes.csv with the isFraud
// label, transactions.csv) are the outside data the scorer is measured on.
// LoadAMLSim imports a folder's transactions through the normal import
// path into d and reads the labels aside: scoring never sees them.

// AMLSimSet is an imported AMLSim folder.
type AMLSimSet struct {
	Report funds.ImportReport
	Labels map[string]bool // account number (with AMLSimMapping.Prefix) → isFraud
}

// LoadAMLSim imports dir/transactions.csv into d and reads dir/nodes.csv.
func LoadAMLSim(ctx context.Context, d *db.DB, dir string) (AMLSimSet, error) {
	var set AMLSimSet
	tf, err := os.Open(filepath.Join(dir, "transactions.csv"))
	if err != nil {
		return set, err
	}
	defer tf.Close()
	set.Report, err = ImportTransfers(ctx, d, "transactions.csv", tf, AMLSimMapping, funds.ImportOptions{})
	if err != nil {
		return set, fmt.Errorf("import %s: %w", dir, err)
	}
	nf, err := os.Open(filepath.Join(dir, "nodes.csv"))
	if err != nil {
		return set, err
	}
	defer nf.Close()
	set.Labels, err = readAMLSimNodes(nf)
	return set, err
}

func readAMLSimNodes(r io.Reader) (map[string]bool, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("nodes.csv: %w", err)
	}
	id, fraud := -1, -1
	for i, h := range head {
		switch h {
		case "nodeid":
			id = i
		case "isFraud":
			fraud = i
		}
	}
	if id < 0 || fraud < 0 {
		return nil, fmt.Errorf("nodes.csv: header %v lacks nodeid or isFraud", head)
	}
	out := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("nodes.csv: %w", err)
		}
		v, err := strconv.Atoi(rec[fraud])
		if err != nil {
			return nil, fmt.Errorf("nodes.csv: isFraud %q", rec[fraud])
		}
		out[AMLSimMapping.Prefix+rec[id]] = v == 1
	}
}

// LabelIDs maps labels by account number onto a Flows' ids; accounts of the
// labels with no transfer are returned as extra, scored 0.
func LabelIDs(f *Flows, labels map[string]bool) (byID map[int32]bool, extraPos, extraNeg int) {
	byID = map[int32]bool{}
	for s, v := range labels {
		if id, ok := f.ID(s); ok {
			byID[id] = v
		} else if v {
			extraPos++
		} else {
			extraNeg++
		}
	}
	return byID, extraPos, extraNeg
}

// EvaluateScores measures scores against labels by account number. Labelled
// accounts without any transfer count with score 0, so every labelled
// account is in the figures.
func EvaluateScores(s *Scores, labels map[string]bool) Metrics {
	byID, pos, neg := LabelIDs(s.Flows, labels)
	scores := make([]int64, 0, len(labels))
	ys := make([]bool, 0, len(labels))
	for id := int32(0); id < int32(s.Flows.Accounts()); id++ {
		if y, ok := byID[id]; ok {
			scores = append(scores, s.Centi[id])
			ys = append(ys, y)
		}
	}
	for i := 0; i < pos+neg; i++ {
		scores = append(scores, 0)
		ys = append(ys, i < pos)
	}
	// Zero-score extras rank after every scored account of equal score
	// only by index; with ties at 0 that is harmless for the figures here.
	return Evaluate(scores, ys, s.Weights.ThresholdCenti())
}
