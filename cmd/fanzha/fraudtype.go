package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/fraudtype"
)

func init() {
	register("fraudtype", "train and evaluate the fraud-type classifier", runFraudtype)
}

const fraudtypeUsage = `usage: fanzha fraudtype <subcommand> [flags]

  train [--out FILE] [--seed N] [--epochs N] [--corpus] [DATA]
        train a model; DATA is a folder of CSV files (content,label), without
        it the project's own corpus; --corpus adds the project corpus to DATA
  eval --data DIR [--train DIR2 | --model FILE]
        evaluate the shipped model (or FILE, or a model freshly trained on DIR2)
        on the CSV files of DIR
  classify [--model FILE] [--json] [TEXT ...]
        classify the texts given, or one text per line of standard input
  split --data DIR --out DIR [--ratio 0.8] [--seed 1]
        split DIR's CSV files into OUT/train and OUT/test (outside any repository)`

// runFraudtype dispatches the fraudtype subcommands.
func runFraudtype(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, fraudtypeUsage)
		return fmt.Errorf("%w: fraudtype needs a subcommand", errUsage)
	}
	switch args[0] {
	case "train":
		return fraudtypeTrain(args[1:], os.Stdout)
	case "eval":
		return fraudtypeEval(args[1:], os.Stdout)
	case "classify":
		return fraudtypeClassify(args[1:], os.Stdin, os.Stdout)
	case "split":
		return fraudtypeSplit(args[1:], os.Stdout)
	case "labels":
		return fraudtypeLabels(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprintln(os.Stderr, fraudtypeUsage)
		return nil
	}
	fmt.Fprintln(os.Stderr, fraudtypeUsage)
	return fmt.Errorf("%w: unknown fraudtype subcommand %q", errUsage, args[0])
}

// trainingData returns the examples a training run uses: the CSV files of
// dir, the project corpus, or both.
func trainingData(dir string, withCorpus bool) ([]fraudtype.Example, string, error) {
	if dir == "" {
		return fraudtype.Corpus(fraudtype.CorpusSeed), "project corpus", nil
	}
	ex, err := fraudtype.ReadDir(dir)
	if err != nil {
		return nil, "", err
	}
	what := dir
	if withCorpus {
		ex = append(fraudtype.Corpus(fraudtype.CorpusSeed), ex...)
		what = "project corpus + " + dir
	}
	return ex, what, nil
}

func fraudtypeTrain(args []string, out io.Writer) error {
	fs := newFlags("fraudtype train")
	opt := fraudtype.DefaultTrainOptions()
	outPath := fs.String("out", "fraudtype.bin", "model file to write (internal/fraudtype/model/shipped.bin regenerates the shipped model)")
	seed := fs.Uint64("seed", opt.Seed, "seed of the example order")
	epochs := fs.Int("epochs", opt.Epochs, "passes over the data")
	withCorpus := fs.Bool("corpus", false, "add the project's own corpus to DATA")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: train takes at most one DATA folder", errUsage)
	}
	opt.Seed, opt.Epochs = *seed, *epochs
	ex, what, err := trainingData(fs.Arg(0), *withCorpus)
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := fraudtype.Train(ex, opt)
	if err != nil {
		return err
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if dir := filepath.Dir(*outPath); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	if err := os.WriteFile(*outPath, data, 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	info := m.Info()
	fmt.Fprintf(out, "trained on %d examples (%s), classes %v, %d epochs, seed %d, in %s\n",
		len(ex), what, m.Classes(), opt.Epochs, opt.Seed, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(out, "wrote %s: %d bytes, %d feature rows, corpus sha256 %x\n", *outPath, len(data), m.Rows(), info.CorpusSHA256)
	return nil
}

func fraudtypeEval(args []string, out io.Writer) error {
	fs := newFlags("fraudtype eval")
	dataDir := fs.String("data", "", "folder of CSV files (content,label) to evaluate on")
	trainDir := fs.String("train", "", "train a fresh model on this folder first (same code as train)")
	modelPath := fs.String("model", "", "model file to evaluate instead of the shipped one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dataDir == "" {
		return fmt.Errorf("%w: eval needs --data DIR", errUsage)
	}
	if *trainDir != "" && *modelPath != "" {
		return fmt.Errorf("%w: give --train or --model, not both", errUsage)
	}
	test, err := fraudtype.ReadDir(*dataDir)
	if err != nil {
		return err
	}
	var c *fraudtype.Classifier
	switch {
	case *trainDir != "":
		ex, err := fraudtype.ReadDir(*trainDir)
		if err != nil {
			return err
		}
		start := time.Now()
		m, err := fraudtype.Train(ex, fraudtype.DefaultTrainOptions())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "model: trained on %d examples of %s in %s\n", len(ex), *trainDir, time.Since(start).Round(time.Millisecond))
		c = fraudtype.New(m)
	case *modelPath != "":
		if c, err = fraudtype.Load(*modelPath); err != nil {
			return err
		}
		fmt.Fprintf(out, "model: %s\n", *modelPath)
	default:
		if c, err = fraudtype.Shipped(); err != nil {
			return err
		}
		fmt.Fprintf(out, "model: shipped (trained on %d examples of the project corpus)\n", c.Model().Info().Examples)
	}
	fmt.Fprintf(out, "data: %d texts from %s\n\n", len(test), *dataDir)
	res, err := fraudtype.Evaluate(c, test)
	if err != nil {
		return err
	}
	return res.Report(out)
}

func fraudtypeClassify(args []string, in io.Reader, out io.Writer) error {
	fs := newFlags("fraudtype classify")
	modelPath := fs.String("model", "", "model file instead of the shipped one")
	asJSON := fs.Bool("json", false, "print one JSON object per text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := fraudtype.Shipped()
	if *modelPath != "" {
		c, err = fraudtype.Load(*modelPath)
	}
	if err != nil {
		return err
	}
	show := func(text string) error {
		p := c.Predict(text)
		if *asJSON {
			b, err := json.Marshal(struct {
				Text string `json:"text"`
				fraudtype.Prediction
			}{text, p})
			if err != nil {
				return fmt.Errorf("encode prediction: %w", err)
			}
			_, err = fmt.Fprintln(out, string(b))
			return err
		}
		verdict := "normal"
		if p.Scam {
			verdict = "SCAM"
		}
		var top []string
		for _, s := range p.Top {
			top = append(top, fmt.Sprintf("%s %s %.2f", s.Type, s.Name, s.Prob))
		}
		_, err := fmt.Fprintf(out, "%s p=%.2f type=%s [%s] phrases=%s rules=%s\n  %s\n",
			verdict, p.ScamProb, p.Type, strings.Join(top, ", "), strings.Join(p.Phrases, "|"), strings.Join(p.Rules, ","), text)
		return err
	}
	if fs.NArg() > 0 {
		for _, t := range fs.Args() {
			if err := show(t); err != nil {
				return err
			}
		}
		return nil
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			if err := show(t); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read texts: %w", err)
	}
	return nil
}

func fraudtypeSplit(args []string, out io.Writer) error {
	fs := newFlags("fraudtype split")
	dataDir := fs.String("data", "", "folder of CSV files to split")
	outDir := fs.String("out", "", "folder to write train/ and test/ into (outside any repository)")
	ratio := fs.Float64("ratio", 0.8, "share of each file's rows that goes to train/")
	seed := fs.Uint64("seed", 1, "seed of the split")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dataDir == "" || *outDir == "" {
		return fmt.Errorf("%w: split needs --data DIR and --out DIR", errUsage)
	}
	n, err := fraudtype.Split(*dataDir, *outDir, *ratio, *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %d rows to %s and %d rows to %s\n", n.Train, filepath.Join(*outDir, "train"), n.Test, filepath.Join(*outDir, "test"))
	return nil
}
