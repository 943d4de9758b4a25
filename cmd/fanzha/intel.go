package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/intel"
)

func init() {
	register("intel", "两卡研判: score accounts and phones, refit weights from labels, evaluate on AMLSim", runIntel)
}

const intelUsage = `usage: fanzha intel score [--data DIR | --db URL]
       fanzha intel fit   [--data DIR | --db URL] [--dry-run]        refit weights from analysts' labels
       fanzha intel fit   --amlsim DIR --out weights.json             fit on an AMLSim folder's labels
       fanzha intel eval  --amlsim DIR [--weights weights.json]      score an AMLSim folder without its labels, then measure
       fanzha intel groups-eval [--seed N] [--scale S]             measure the groups against the demo county's planted gangs`

func runIntel(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w\n%s", errUsage, intelUsage)
	}
	switch args[0] {
	case "score":
		return intelScore(ctx, args[1:])
	case "fit":
		return intelFit(ctx, args[1:])
	case "eval":
		return intelEval(ctx, args[1:])
	case "groups-eval":
		return intelGroupsEval(ctx, args[1:])
	}
	return fmt.Errorf("%w: unknown intel command %q\n%s", errUsage, args[0], intelUsage)
}

func intelScore(ctx context.Context, args []string) error {
	fs := newFlags("intel score")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	res, err := intel.RescoreAll(ctx, d, time.Now())
	if err != nil {
		return err
	}
	n, watch, p := res.Accounts, res.Watch, res.Phones
	e := auth.AuditEntry{Username: "cli", IP: "cli", At: time.Now()}.With(auth.AuditUpdate, "intel_scores", "")
	e.Detail = fmt.Sprintf("rescore: %d accounts (%d watch), %d phones", n, watch, p)
	if err := auth.Audit(ctx, d, e); err != nil {
		return err
	}
	fmt.Printf("scored %d accounts (%d on the watch list) and %d phone numbers in %.2fs\n", n, watch, p, time.Since(start).Seconds())
	return nil
}

func intelFit(ctx context.Context, args []string) error {
	fs := newFlags("intel fit")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	var amls folderList
	fs.Var(&amls, "amlsim", "fit on this AMLSim folder's isFraud labels instead of the analysts' labels (repeat to fit on several folders together)")
	out := fs.String("out", "", "with --amlsim: write the fitted weights to this JSON file")
	dry := fs.Bool("dry-run", false, "print the fit without putting the weights in force")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(amls) > 0 {
		// Each folder in a database of its own: AMLSim graphs number
		// their accounts from 0, so two folders must not share a ledger.
		var sets []intel.FlowSet
		for _, dir := range amls {
			d, cleanup, err := scratchDB(ctx)
			if err != nil {
				return err
			}
			defer cleanup()
			set, err := intel.LoadAMLSim(ctx, d, dir)
			if err != nil {
				return err
			}
			f, err := intel.LoadFlows(ctx, d)
			if err != nil {
				return err
			}
			byID, _, _ := intel.LabelIDs(f, set.Labels)
			sets = append(sets, intel.FlowSet{Flows: f, Labels: byID})
		}
		w, rep, err := intel.FitFlowSets(sets)
		if err != nil {
			return err
		}
		names := make([]string, len(amls))
		for i, dir := range amls {
			names[i] = filepath.Base(filepath.Clean(dir))
		}
		w.Source = "fit on AMLSim " + strings.Join(names, " + ")
		printFit(w, rep)
		if *out != "" {
			b, _ := json.MarshalIndent(w, "", "  ")
			if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
				return err
			}
			fmt.Printf("weights written to %s\n", *out)
		}
		return nil
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	w, rep, err := intel.FitStored(ctx, d)
	if err != nil {
		return err
	}
	printFit(w, rep)
	if *dry {
		return nil
	}
	report := fmt.Sprintf("fit on %d labels (%d mules): precision=%.4f recall=%.4f", rep.Examples, rep.Mules, rep.Precision, rep.Recall)
	if err := intel.SaveWeights(ctx, d, auth.AuditEntry{Username: "cli", IP: "cli"}, w, report, time.Now()); err != nil {
		return err
	}
	fmt.Println("weights in force; run fanzha intel score to rescore")
	return nil
}

func printFit(w intel.Weights, rep intel.FitReport) {
	fmt.Printf("fit: %d labelled accounts, %d mules, %d Newton iterations\n", rep.Examples, rep.Mules, rep.Iterations)
	for f := intel.Feature(0); f < intel.NumFeatures; f++ {
		fmt.Printf("  %-24s %8.2f points %8.2f if present\n", intel.Features[f].Code, w.Points[f], w.Step[f])
	}
	fmt.Printf("  %-24s %8.2f points\n", "threshold", w.Threshold)
	fmt.Printf("on the fitting labels at the threshold: precision=%.4f recall=%.4f pr_auc=%.4f\n", rep.Precision, rep.Recall, rep.AvgPrecision)
}

func intelEval(ctx context.Context, args []string) error {
	fs := newFlags("intel eval")
	aml := fs.String("amlsim", "", "AMLSim folder (nodes.csv, transactions.csv)")
	wf := fs.String("weights", "", "weights JSON (from fanzha intel fit --amlsim on another folder), or \"builtin\" for the hand-set weights; default: the shipped AMLSim weights, fitted on the two public folders of ../shared/data/amlsim-20k")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *aml == "" {
		return fmt.Errorf("%w: --amlsim DIR is required\n%s", errUsage, intelUsage)
	}
	w, err := intel.AMLSimWeights()
	if err != nil {
		return err
	}
	switch *wf {
	case "":
	case "builtin":
		w = intel.DefaultWeights()
	default:
		b, err := os.ReadFile(*wf)
		if err != nil {
			return err
		}
		w = intel.DefaultWeights()
		if err := json.Unmarshal(b, &w); err != nil {
			return fmt.Errorf("%s: %w", *wf, err)
		}
	}
	d, cleanup, err := scratchDB(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	t0 := time.Now()
	set, err := intel.LoadAMLSim(ctx, d, *aml)
	if err != nil {
		return err
	}
	fmt.Printf("imported %s: %d rows stored, %d bad, %d accounts in %.1fs\n", *aml, set.Report.Stored, set.Report.Bad, set.Report.Accounts, time.Since(t0).Seconds())
	t1 := time.Now()
	f, err := intel.LoadFlows(ctx, d)
	if err != nil {
		return err
	}
	s := intel.ScoreFlows(f, w, nil)
	fmt.Printf("scored %d accounts from %d transfers in %.2fs with weights %q\n", f.Accounts(), f.Transfers(), time.Since(t1).Seconds(), w.Source)
	m := intel.EvaluateScores(s, set.Labels)
	fmt.Println(m.String())
	fmt.Printf("RESULT accounts=%d precision_at_100=%.4f recall_at_1pct=%.4f pr_auc=%.4f\n", m.N, m.PrecisionAt[100], m.RecallAt1Pct, m.AvgPrecision)
	return nil
}

// scratchDB opens a fresh migrated SQLite database in a temporary folder.
func scratchDB(ctx context.Context) (*db.DB, func(), error) {
	dir, err := os.MkdirTemp("", "fanzha-intel-")
	if err != nil {
		return nil, nil, err
	}
	d, err := openDB(ctx, "", dir, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return d, func() { d.Close(); os.RemoveAll(dir) }, nil
}

// folderList is a repeatable folder flag.
type folderList []string

func (f *folderList) String() string     { return strings.Join(*f, ",") }
func (f *folderList) Set(v string) error { *f = append(*f, v); return nil }
