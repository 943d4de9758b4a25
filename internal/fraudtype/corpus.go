package fraudtype

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// CorpusSeed is the seed of the project corpus the shipped model is trained
// on. Changing it (or any template) changes the shipped model: retrain with
// "fanzha fraudtype train --out internal/fraudtype/model/shipped.bin".
const CorpusSeed = 8

// The project's own training corpus is generated, not collected: texts are
// expanded from templates written for this project (corpus_*.go) from
// general knowledge of how each scam is run — the scripts that police
// warnings publish — and of the everyday messages people receive. Nothing in
// it is copied from a data set, so the shipped model may be redistributed.
//
// Template syntax, expanded recursively:
//
//	(a|b|c)  one of the alternatives, chosen uniformly; (|a) makes a optional
//	(a|b)?   the same, left out half of the time
//	{slot}   a value of the slot: a list in corpusSlots, or a generated value
//	         (amt, num, phone, card, url, date, …; see genSlot)

// part is one sentence slot of a text form: included with probability p,
// as one of its alternative templates.
type part struct {
	p    float64
	alts []string
}

// form is one way a class of texts is written (an SMS, a caller's script, a
// case narrative, a chat); a class draws its forms by weight.
type form struct {
	weight int
	parts  []part
}

// corpusClass is a class of the corpus: its label, how many texts to
// generate, and its forms.
type corpusClass struct {
	label string
	count int
	forms []form
}

// maybe builds a part included with probability p.
func maybe(p float64, alts ...string) part { return part{p: p, alts: alts} }

// one builds a part that is always included.
func one(alts ...string) part { return part{p: 1, alts: alts} }

// variant builds a form.
func variant(weight int, parts ...part) form { return form{weight: weight, parts: parts} }

// corpusClasses is filled by the corpus_*.go files, one per class family.
var corpusClasses []corpusClass

// Corpus returns the project's training corpus generated with seed: for each
// class in a fixed order, its texts, without duplicates. The same seed
// always gives the same corpus.
func Corpus(seed uint64) []Example {
	var out []Example
	for ci, cl := range corpusClasses {
		g := &generator{rng: rand.New(rand.NewPCG(seed, uint64(ci)+1))}
		seen := map[string]bool{}
		total := 0
		for _, f := range cl.forms {
			total += f.weight
		}
		for made, tries := 0, 0; made < cl.count && tries < cl.count*20; tries++ {
			f, r := cl.forms[0], g.rng.IntN(total)
			for _, cand := range cl.forms {
				if r < cand.weight {
					f = cand
					break
				}
				r -= cand.weight
			}
			text := g.text(f)
			if text == "" || seen[text] {
				continue
			}
			seen[text] = true
			out = append(out, Example{Text: text, Label: cl.label})
			made++
		}
	}
	return out
}

// generator expands templates with its own random stream.
type generator struct {
	rng *rand.Rand
}

// text writes one text of a form.
func (g *generator) text(f form) string {
	var b strings.Builder
	for _, p := range f.parts {
		if p.p < 1 && g.rng.Float64() >= p.p {
			continue
		}
		b.WriteString(g.expand(p.alts[g.rng.IntN(len(p.alts))]))
	}
	return strings.TrimSpace(b.String())
}

// expand expands one template.
func (g *generator) expand(t string) string {
	if !strings.ContainsAny(t, "({") {
		return t
	}
	var b strings.Builder
	for i := 0; i < len(t); {
		switch t[i] {
		case '(':
			end := matching(t, i, '(', ')')
			alts := splitTop(t[i+1 : end])
			pick := alts[g.rng.IntN(len(alts))]
			i = end + 1
			if i < len(t) && t[i] == '?' {
				i++
				if g.rng.IntN(2) == 0 {
					continue
				}
			}
			b.WriteString(g.expand(pick))
		case '{':
			end := strings.IndexByte(t[i:], '}') + i
			b.WriteString(g.expand(g.slot(t[i+1 : end])))
			i = end + 1
		default:
			b.WriteByte(t[i])
			i++
		}
	}
	return b.String()
}

// matching returns the index of the bracket closing the one at t[i].
func matching(t string, i int, open, close byte) int {
	depth := 0
	for j := i; j < len(t); j++ {
		switch t[j] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	panic(fmt.Sprintf("fraudtype: corpus template %q: unbalanced %c", t, open))
}

// splitTop splits s at the '|' that are not inside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// slot returns a value for a slot name.
func (g *generator) slot(name string) string {
	if vals, ok := corpusSlots[name]; ok {
		return vals[g.rng.IntN(len(vals))]
	}
	if v, ok := g.genSlot(name); ok {
		return v
	}
	panic(fmt.Sprintf("fraudtype: corpus: unknown slot {%s}", name))
}

const digits = "0123456789"

func (g *generator) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(10)]
	}
	return string(b)
}

func (g *generator) letters(n int) string {
	const az = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = az[g.rng.IntN(len(az))]
	}
	return string(b)
}

// genSlot generates the values that are numbers, links and dates rather
// than words: they are replaced by tokens in normalisation anyway, but the
// text should carry them in all their real-world spellings.
func (g *generator) genSlot(name string) (string, bool) {
	r := g.rng
	switch name {
	case "amt": // a sum of money as people write it
		switch r.IntN(9) {
		case 0:
			return strconv.Itoa((r.IntN(99)+1)*100) + "元", true
		case 1:
			return strconv.Itoa(r.IntN(9)+1) + "万元", true
		case 2:
			return strconv.Itoa(r.IntN(49)+1) + "万", true
		case 3:
			return "¥" + strconv.Itoa((r.IntN(500)+1)*10), true
		case 4:
			return strconv.Itoa(r.IntN(90000)+1000) + "元", true
		case 5:
			return []string{"五千元", "两万元", "三万块", "一万", "八千块钱", "十万元", "几千块钱", "两千"}[r.IntN(8)], true
		case 6:
			return strconv.Itoa(r.IntN(9)+1) + "." + strconv.Itoa(r.IntN(10)) + "万元", true
		case 7:
			return strconv.Itoa((r.IntN(30)+1)*1000) + "块", true
		default:
			return strconv.Itoa(r.IntN(900)+100) + "元", true
		}
	case "num":
		return strconv.Itoa(r.IntN(98) + 2), true
	case "num4":
		return g.digits(4), true
	case "code":
		return g.digits(4 + 2*r.IntN(2)), true
	case "pct":
		return strconv.Itoa(r.IntN(30)+1) + "%", true
	case "phone":
		switch r.IntN(6) {
		case 0:
			return "1" + g.digits(2) + "****" + g.digits(4), true
		case 1:
			return "400-" + g.digits(3) + "-" + g.digits(4), true
		case 2:
			return "0" + g.digits(2+r.IntN(2)) + "-" + g.digits(8), true
		default:
			return "1" + string("3456789"[r.IntN(7)]) + g.digits(9), true
		}
	case "card":
		switch r.IntN(3) {
		case 0:
			return "62" + g.digits(17), true
		case 1:
			return "6222 " + g.digits(4) + " " + g.digits(4) + " " + g.digits(4), true
		default:
			return "62" + g.digits(14), true
		}
	case "url":
		tld := []string{".cn", ".com", ".top", ".vip", ".cc", ".net"}[r.IntN(6)]
		switch r.IntN(4) {
		case 0:
			return "https://" + strings.ToLower(g.letters(5)) + tld + "/" + g.letters(5), true
		case 1:
			return "http://" + strings.ToLower(g.letters(4)) + tld + "/" + g.letters(6), true
		case 2:
			return "www." + strings.ToLower(g.letters(6)) + tld, true
		default:
			return strings.ToLower(g.letters(3)) + tld + "/" + g.letters(5), true
		}
	case "date":
		m, d := r.IntN(12)+1, r.IntN(28)+1
		switch r.IntN(3) {
		case 0:
			return fmt.Sprintf("%d月%d日", m, d), true
		case 1:
			return fmt.Sprintf("%02d月%02d日", m, d), true
		default:
			return fmt.Sprintf("%d-%02d-%02d", 2018+r.IntN(8), m, d), true
		}
	case "time":
		h, mi := r.IntN(24), r.IntN(60)
		if r.IntN(2) == 0 {
			return fmt.Sprintf("%d:%02d", h, mi), true
		}
		return fmt.Sprintf("%d点", h), true
	case "qq":
		return strconv.Itoa(r.IntN(900000000) + 100000000), true
	case "wx":
		return strings.ToLower(g.letters(2)) + g.digits(6), true
	}
	return "", false
}
