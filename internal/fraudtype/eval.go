package fraudtype

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// evalEquivalent lists predicted types counted as correct for a gold type
// when the evaluation set has no class of their own. The public
// Telecom_Fraud_Texts_5 set has one class "贷款、代办信用卡类" for what the
// taxonomy splits into 虚假网络贷款 (Loan) and 虚假征信 (Credit) — fake
// credit-record scams end in "take out a loan and transfer it" — so a Credit
// prediction of a text of that class is a Loan prediction.
var evalEquivalent = map[string]string{string(Credit): string(Loan)}

// ClassScore is the precision, recall and F1 of one class.
type ClassScore struct {
	Class     string
	Support   int // gold examples of the class
	Precision float64
	Recall    float64
	F1        float64
}

// EvalResult is the outcome of Evaluate.
type EvalResult struct {
	Samples     int
	Accuracy    float64
	MacroF1     float64
	PerTextUS   float64 // mean wall time of Predict per text, microseconds, one goroutine
	Classes     []string
	PerClass    []ClassScore
	Confusion   [][]int // [gold][predicted] over Classes
	Scam        ClassScore
	Unpredicted int // examples whose gold class the model cannot predict at all
}

// Evaluate classifies every example and scores the result. The decision is
// restricted to the classes present in the gold labels (plus their
// evalEquivalent types): an evaluation set of five classes cannot judge a
// prediction of one of the other taxonomy types, which would otherwise
// count as an error of a type that set does not even have. The scam flag is
// scored separately, from Predict, as scam vs normal. PerTextUS times a
// separate pass of Predict, the full call the intake uses (rules and
// phrases included).
func Evaluate(c *Classifier, examples []Example) (EvalResult, error) {
	var res EvalResult
	if len(examples) == 0 {
		return res, fmt.Errorf("fraudtype: evaluate: no examples")
	}
	gold := map[string]bool{}
	for _, ex := range examples {
		gold[ex.Label] = true
	}
	// Classes in model order, then gold classes the model lacks.
	for _, cl := range c.m.classes {
		if gold[cl] {
			res.Classes = append(res.Classes, cl)
		}
	}
	for _, t := range append([]string{Normal}, codes()...) {
		if gold[t] && !slices.Contains(res.Classes, t) {
			res.Classes = append(res.Classes, t)
		}
	}
	allowed := make([]bool, len(c.m.classes))
	anyAllowed := false
	for i, cl := range c.m.classes {
		allowed[i] = gold[cl] || gold[evalEquivalent[cl]]
		anyAllowed = anyAllowed || allowed[i]
	}
	if !anyAllowed {
		return res, fmt.Errorf("fraudtype: evaluate: the model (classes %v) has none of the evaluation's classes", c.m.classes)
	}
	idx := map[string]int{}
	for i, cl := range res.Classes {
		idx[cl] = i
	}
	n := len(res.Classes)
	res.Confusion = make([][]int, n)
	for i := range res.Confusion {
		res.Confusion[i] = make([]int, n)
	}
	var scamTP, scamFP, scamFN, scamGold int
	correct := 0
	for _, ex := range examples {
		pi := c.classifyAmong(ex.Text, allowed)
		pred := c.m.classes[pi]
		if eq, ok := evalEquivalent[pred]; ok && !gold[pred] {
			pred = eq
		}
		g := idx[ex.Label]
		if c.m.classIndex(ex.Label) < 0 {
			res.Unpredicted++
		}
		res.Confusion[g][idx[pred]]++
		if pred == ex.Label {
			correct++
		}
	}
	start := time.Now()
	for _, ex := range examples {
		p := c.Predict(ex.Text)
		isScam := ex.Label != Normal
		if isScam {
			scamGold++
		}
		switch {
		case p.Scam && isScam:
			scamTP++
		case p.Scam && !isScam:
			scamFP++
		case !p.Scam && isScam:
			scamFN++
		}
	}
	res.PerTextUS = float64(time.Since(start).Microseconds()) / float64(len(examples))
	res.Samples = len(examples)
	res.Accuracy = float64(correct) / float64(len(examples))
	for i, cl := range res.Classes {
		tp, fp, fn := res.Confusion[i][i], 0, 0
		for j := range n {
			if j != i {
				fp += res.Confusion[j][i]
				fn += res.Confusion[i][j]
			}
		}
		sc := score(cl, tp, fp, fn)
		res.PerClass = append(res.PerClass, sc)
		res.MacroF1 += sc.F1
	}
	res.MacroF1 /= float64(n)
	res.Scam = score("scam", scamTP, scamFP, scamFN)
	res.Scam.Support = scamGold
	return res, nil
}

func score(class string, tp, fp, fn int) ClassScore {
	sc := ClassScore{Class: class, Support: tp + fn}
	if tp+fp > 0 {
		sc.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		sc.Recall = float64(tp) / float64(tp+fn)
	}
	if sc.Precision+sc.Recall > 0 {
		sc.F1 = 2 * sc.Precision * sc.Recall / (sc.Precision + sc.Recall)
	}
	return sc
}

func codes() []string {
	out := make([]string, len(all))
	for i, t := range all {
		out[i] = string(t.Code)
	}
	return out
}

// Report writes the evaluation as a table, ending with the line
// "RESULT samples=<n> macro_f1=<f> accuracy=<a> per_text_us=<t>".
func (r EvalResult) Report(w io.Writer) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("%-18s %7s %9s %7s %7s\n", "class", "support", "precision", "recall", "f1")
	for _, s := range r.PerClass {
		p("%-18s %7d %9.4f %7.4f %7.4f\n", s.Class, s.Support, s.Precision, s.Recall, s.F1)
	}
	p("%-18s %7d %9.4f %7.4f %7.4f   (scam vs normal, from the scam flag)\n", "scam", r.Scam.Support, r.Scam.Precision, r.Scam.Recall, r.Scam.F1)
	if r.Unpredicted > 0 {
		p("warning: %d examples have a class the model was not trained on\n", r.Unpredicted)
	}
	p("\nconfusion (rows gold, columns predicted):\n%-18s", "")
	for _, cl := range r.Classes {
		p(" %8.8s", cl)
	}
	p("\n")
	for i, cl := range r.Classes {
		p("%-18s", cl)
		for _, v := range r.Confusion[i] {
			p(" %8d", v)
		}
		p("\n")
	}
	_, err := fmt.Fprintf(w, "RESULT samples=%d macro_f1=%.4f accuracy=%.4f per_text_us=%.2f\n", r.Samples, r.MacroF1, r.Accuracy, r.PerTextUS)
	return err
}
