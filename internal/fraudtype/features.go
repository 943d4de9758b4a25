package fraudtype

import (
	_ "embed"
	"hash/fnv"
	"strings"
)

// The hashed feature space. 2^18 buckets keep collisions rare for the few
// hundred thousand distinct n-grams of a training corpus while the index
// from bucket to weight row stays at 1 MiB.
const (
	featureBits = 18
	featureMask = 1<<featureBits - 1
	maxNgram    = 3 // character (unit) 1- to 3-grams
)

// Seeds that keep n-grams of different lengths and lexicon words apart in
// the hashed space.
var ngramSeeds = [maxNgram + 1]uint64{0, 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9}

const wordSeed = 0x27D4EB2F165667C5

// feature is one hashed feature occurrence in a text, with the span of units
// it covers so that the prediction can quote the phrase.
type feature struct {
	idx   uint32
	start int32 // first unit
	n     int32 // number of units
}

// fmix is MurmurHash3's 64-bit finaliser: it spreads FNV's weak high bits
// before the bucket index is taken from them.
func fmix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xFF51AFD7ED558CCD
	h ^= h >> 33
	h *= 0xC4CEB9FE1A85EC53
	h ^= h >> 33
	return h
}

func bucket(h uint64) uint32 { return uint32(fmix(h) >> (64 - featureBits)) }

//go:embed lexicon.txt
var lexiconText string

// lexicon is the word list of the forward-maximum-matching segmenter. Words
// are keyed by the combined hash of their units, so matching needs no
// string building. We use a small list we wrote rather than a general
// segmenter with a large dictionary (gse, jieba ports): character n-grams
// already cover short words, and what the words add — whole terms such as
// 安全账户 or 百万保障 as one feature and as one quotable phrase — only
// needs the domain vocabulary; a 365-word list costs nothing to load.
type lexicon struct {
	words  map[uint64]bool
	first  []uint64 // bit set over the first unit's hash: can a word start here?
	maxLen int
}

const lexFirstBits = 14

var lex = buildLexicon(lexiconText)

func buildLexicon(text string) *lexicon {
	l := &lexicon{words: map[uint64]bool{}, first: make([]uint64, 1<<lexFirstBits/64)}
	n := &normalizer{}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n.run(line)
		if len(n.units) < 2 {
			continue
		}
		h := uint64(fnvOffset)
		for _, u := range n.units {
			h = (h ^ u.h) * fnvPrime
		}
		l.words[h] = true
		f := n.units[0].h & (1<<lexFirstBits - 1)
		l.first[f/64] |= 1 << (f % 64)
		l.maxLen = max(l.maxLen, len(n.units))
	}
	return l
}

func (l *lexicon) mayStart(h uint64) bool {
	f := h & (1<<lexFirstBits - 1)
	return l.first[f/64]&(1<<(f%64)) != 0
}

// match returns the length in units of the longest lexicon word starting at
// units[i], or 0.
func (l *lexicon) match(units []unit, i int) int {
	if !l.mayStart(units[i].h) {
		return 0
	}
	var prefix [8]uint64
	h := uint64(fnvOffset)
	m := 0
	for k := i; k < len(units) && m < l.maxLen && m < len(prefix) && units[k].kind == unitHan; k++ {
		h = (h ^ units[k].h) * fnvPrime
		prefix[m] = h
		m++
	}
	for L := m; L >= 2; L-- {
		if l.words[prefix[L-1]] {
			return L
		}
	}
	return 0
}

// features appends the hashed features of the normalised text in n: unit
// 1- to 3-grams and the lexicon words found by forward maximum matching.
func (n *normalizer) features(dst []feature) []feature {
	us := n.units
	for i := range us {
		h := ngramSeeds[1]
		for k := 0; k < maxNgram && i+k < len(us); k++ {
			if k > 0 {
				h = ngramSeeds[k+1] ^ h
			}
			h = (h ^ us[i+k].h) * fnvPrime
			dst = append(dst, feature{idx: bucket(h), start: int32(i), n: int32(k + 1)})
		}
	}
	for i := 0; i < len(us); {
		L := 0
		if us[i].kind == unitHan {
			L = lex.match(us, i)
		}
		if L == 0 {
			i++
			continue
		}
		h := uint64(wordSeed)
		for k := i; k < i+L; k++ {
			h = (h ^ us[k].h) * fnvPrime
		}
		dst = append(dst, feature{idx: bucket(h), start: int32(i), n: int32(L)})
		i += L
	}
	return dst
}

// quotable reports whether a feature is worth quoting as a phrase: two units
// or more, not all of them punctuation.
func (n *normalizer) quotable(f feature) bool {
	if f.n < 2 {
		return false
	}
	for _, u := range n.units[f.start : f.start+f.n] {
		if u.kind != unitPunct {
			return true
		}
	}
	return false
}

// phrase returns the normalised text of units [start, start+n).
func (n *normalizer) phrase(start, count int32) string {
	return string(n.buf[n.units[start].off:n.units[start+count-1].end])
}

// Segment splits a text into the units and lexicon words the classifier
// sees, after normalisation: lexicon words by forward maximum matching,
// every other character, ASCII word, mark or token on its own.
func Segment(text string) []string {
	n := normalizerPool.Get().(*normalizer)
	defer normalizerPool.Put(n)
	n.run(text)
	var out []string
	for i := 0; i < len(n.units); {
		L := 0
		if n.units[i].kind == unitHan {
			L = lex.match(n.units, i)
		}
		if L == 0 {
			L = 1
		}
		out = append(out, n.phrase(int32(i), int32(L)))
		i += L
	}
	return out
}

// featureSignature identifies the feature extraction: normalisation and
// feature version (bump the version string when Normalize or features
// change), hashing parameters, the lexicon and the traditional-to-simplified
// table. A model records the
// signature it was trained with; loading it against other code fails
// instead of silently mis-scoring.
var featureSignature = func() uint32 {
	h := fnv.New32a()
	h.Write([]byte("fanzha-fraudtype-features-v1\x00"))
	h.Write([]byte{featureBits, maxNgram})
	h.Write([]byte(lexiconText))
	for _, s := range tradToSimp {
		h.Write([]byte{byte(s), byte(s >> 8)})
	}
	return h.Sum32()
}()
