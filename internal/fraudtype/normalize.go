package fraudtype

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// Placeholder tokens that replace the variable parts of a text. Scam texts
// differ from one another mostly in names, numbers and links; replacing those
// by one token each lets the model learn "a phone number is given" instead of
// memorising a particular number, and keeps personal data out of features.
const (
	TokenURL     = "<url>"   // web address or e-mail address
	TokenPhone   = "<phone>" // mobile, landline, 400/800 number (also masked: 138****5678)
	TokenAccount = "<acct>"  // 12 or more digits: bank card, ID number, account
	TokenAmount  = "<amt>"   // a number followed by 元/万/块/千/亿 or preceded by ¥
	TokenNumber  = "<num>"   // any other number (dates, codes, counts)
	TokenMask    = "<mask>"  // redaction: xxx, ***, [姓名]
)

// unitKind tells what a unit of normalised text is.
type unitKind uint8

const (
	unitHan   unitKind = iota // one CJK character
	unitWord                  // a run of ASCII letters
	unitPunct                 // one punctuation mark or symbol
	unitToken                 // one placeholder token
)

// unit is one element of a normalised text: a CJK character, an ASCII word,
// a punctuation mark or a token. Features are n-grams of units, so "app" or
// "<phone>" weigh as much as one character.
type unit struct {
	h    uint64 // FNV-1a of the unit's bytes
	off  int32  // byte range of the unit in normalizer.buf
	end  int32
	kind unitKind
}

// normalizer holds the buffers of one normalisation, reused through a pool
// so that Predict does not allocate per character.
type normalizer struct {
	rs    []rune
	buf   []byte
	units []unit
	space bool      // whitespace seen since the last unit
	bloom [4]uint64 // 256-bit set of unit hashes, to skip rule phrases quickly
}

var normalizerPool = sync.Pool{New: func() any {
	return &normalizer{rs: make([]rune, 0, 256), buf: make([]byte, 0, 512), units: make([]unit, 0, 256)}
}}

// Normalize returns the canonical form of a text as the classifier sees it:
// full-width forms folded to half width, traditional characters simplified,
// ASCII lower-cased, whitespace collapsed, repeated punctuation collapsed,
// and URLs, phone numbers, account numbers, amounts, other numbers and
// redactions replaced by the Token* placeholders.
func Normalize(text string) string {
	n := normalizerPool.Get().(*normalizer)
	n.run(text)
	s := string(n.buf)
	normalizerPool.Put(n)
	return s
}

// fold maps one rune to its canonical form: half width, simplified, lower
// case. It returns -1 for runes that carry nothing (controls, zero-width).
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
	case r == 0x3000 || r == 0x00A0 || r == 0x2002 || r == 0x2003 || r == 0x2009: // wide and no-break spaces
		return ' '
	case r == 0xFFE5: // full-width yen/yuan sign
		return '¥'
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF: // zero-width characters used to dodge filters
		return -1
	}
	if r >= 'A' && r <= 'Z' {
		return r + ('a' - 'A')
	}
	if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
		return -1
	}
	return simplify(r)
}

func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isLetter(r rune) bool { return r >= 'a' && r <= 'z' }
func isHan(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0xF900 && r <= 0xFAFF)
}
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || unicode.IsSpace(r)
}

// isURLChar reports whether r can be part of a URL or e-mail address.
func isURLChar(r rune) bool {
	if isDigit(r) || isLetter(r) {
		return true
	}
	switch r {
	case '.', '_', '/', ':', '?', '=', '&', '%', '#', '~', '+', '-', '@':
		return true
	}
	return false
}

// topLevelDomains are the endings that make a dotted ASCII run a web address
// even without "http": scam SMS write bare domains to pass link filters.
var topLevelDomains = map[string]bool{
	"com": true, "cn": true, "net": true, "org": true, "cc": true, "top": true, "vip": true,
	"xyz": true, "me": true, "info": true, "io": true, "co": true, "app": true, "link": true,
	"ly": true, "shop": true, "club": true, "site": true, "hk": true, "tw": true, "gov": true,
	"edu": true, "wang": true, "ren": true, "tk": true, "online": true, "fun": true, "ink": true,
}

// wordPlaceholders are ASCII words that exports and anonymised data use in
// place of the real value.
var wordPlaceholders = map[string]string{
	"url": TokenURL, "link": TokenURL,
	"digit": TokenNumber, "digits": TokenNumber, "num": TokenNumber, "number": TokenNumber,
	"cellphone": TokenPhone, "phone": TokenPhone, "tel": TokenPhone, "mobile": TokenPhone, "telephone": TokenPhone,
}

// bracketPlaceholders are the Chinese placeholders written in brackets, as
// in "[链接]".
var bracketPlaceholders = map[string]string{
	"链接": TokenURL, "网址": TokenURL, "数字": TokenNumber, "电话": TokenPhone, "手机号": TokenPhone,
	"号码": TokenPhone, "金额": TokenAmount, "姓名": TokenMask, "名字": TokenMask, "地址": TokenMask,
	"卡号": TokenAccount, "账号": TokenAccount,
}

// run normalises text into n.buf and n.units.
func (n *normalizer) run(text string) {
	n.rs = n.rs[:0]
	n.buf = n.buf[:0]
	n.units = n.units[:0]
	n.space = false
	n.bloom = [4]uint64{}
	for _, r := range text {
		if r = fold(r); r >= 0 {
			n.rs = append(n.rs, r)
		}
	}
	rs := n.rs
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isHan(r): // most characters: test first
			n.emitHan(r)
			i++
		case isSpace(r):
			n.space = true
			i++
		case isDigit(r) || isLetter(r):
			if j := urlEnd(rs, i); j > i {
				n.emitToken(TokenURL)
				i = j
				continue
			}
			if isDigit(r) {
				j, tok := scanNumber(rs, i)
				n.emitToken(tok)
				i = j
				continue
			}
			j := i
			for j < len(rs) && isLetter(rs[j]) {
				j++
			}
			n.emitWord(rs[i:j])
			i = j
		case r == '*':
			j := i
			for j < len(rs) && rs[j] == '*' {
				j++
			}
			switch {
			case j < len(rs) && isDigit(rs[j]): // ****1234: a masked number
				j2, tok := scanNumber(rs, i)
				n.emitToken(tok)
				i = j2
			case j-i >= 2:
				n.emitToken(TokenMask)
				i = j
			default:
				n.emitPunct(r)
				i = j
			}
		case (r == '[' || r == '【') && bracketPlaceholder(rs, i) != "":
			tok := bracketPlaceholder(rs, i)
			n.emitToken(tok)
			for i < len(rs) && rs[i] != ']' && rs[i] != '】' {
				i++
			}
			i++
		default:
			if r == '¥' || r == '$' {
				// A currency sign before a number makes it an amount.
				j := i + 1
				for j < len(rs) && rs[j] == ' ' {
					j++
				}
				if j < len(rs) && isDigit(rs[j]) {
					k, _ := scanNumber(rs, j)
					n.emitToken(TokenAmount)
					i = k
					continue
				}
			}
			n.emitPunct(r)
			i++
		}
	}
}

// bracketPlaceholder returns the token for a placeholder such as "[链接]"
// starting at rs[i], or "".
func bracketPlaceholder(rs []rune, i int) string {
	var buf [16]byte
	b := buf[:0]
	for j := i + 1; j < len(rs) && j <= i+4; j++ {
		if rs[j] == ']' || rs[j] == '】' {
			return bracketPlaceholders[string(b)]
		}
		b = utf8.AppendRune(b, rs[j])
	}
	return ""
}

// urlEnd returns the end of a URL or e-mail address starting at rs[i], or i
// when there is none.
func urlEnd(rs []rune, i int) int {
	j := i
	for j < len(rs) && isURLChar(rs[j]) {
		j++
	}
	// Trailing punctuation belongs to the sentence, not to the address.
	for j > i && (rs[j-1] == '.' || rs[j-1] == '-' || rs[j-1] == ':' || rs[j-1] == '?' || rs[j-1] == '&') {
		j--
	}
	if j-i < 4 {
		return i
	}
	s := rs[i:j]
	if hasPrefix(s, "http") || hasPrefix(s, "www.") {
		return j
	}
	// A bare domain: some label, a dot, a known top-level domain, then the
	// end or a path.
	for k := i + 1; k < j; k++ {
		if rs[k] != '.' {
			continue
		}
		e := k + 1
		for e < j && isLetter(rs[e]) {
			e++
		}
		if e > k+1 && (e == j || !isDigit(rs[e]) && !isLetter(rs[e])) && topLevelDomains[string(rs[k+1:e])] {
			return j
		}
	}
	return i
}

func hasPrefix(rs []rune, p string) bool {
	if len(rs) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if rs[i] != rune(p[i]) {
			return false
		}
	}
	return true
}

// scanNumber reads a number starting at rs[i] — digits with '*' masks and
// '-', ' ', ',' or '.' between digit groups — and classifies it.
func scanNumber(rs []rune, i int) (int, string) {
	j, digits, stars := i, 0, 0
scan:
	for ; j < len(rs); j++ {
		c := rs[j]
		switch {
		case isDigit(c):
			digits++
		case c == '*':
			stars++
		case (c == '-' || c == ' ' || c == ',' || c == '.') && digits > 0 && j+1 < len(rs) && (isDigit(rs[j+1]) || rs[j+1] == '*'):
		default:
			break scan
		}
	}
	// An ID number may end in X.
	if digits+stars == 17 && j < len(rs) && rs[j] == 'x' {
		digits++
		j++
	}
	total := digits + stars
	// Amount: a money unit follows (possibly after a space).
	k := j
	for k < len(rs) && rs[k] == ' ' {
		k++
	}
	if k < len(rs) {
		switch rs[k] {
		case '元', '万', '块', '千', '亿', '¥':
			return j, TokenAmount
		}
	}
	first := rs[i]
	switch {
	case total == 11 && first == '1':
		return j, TokenPhone
	case first == '0' && total >= 10 && total <= 12:
		return j, TokenPhone
	case (hasPrefix(rs[i:], "400") || hasPrefix(rs[i:], "800")) && total == 10:
		return j, TokenPhone
	case total >= 12:
		return j, TokenAccount
	}
	return j, TokenNumber
}

// emit appends the bytes of a unit already written at buf[off:] as a unit.
func (n *normalizer) emit(off int, kind unitKind) {
	h := uint64(fnvOffset)
	for _, c := range n.buf[off:] {
		h ^= uint64(c)
		h *= fnvPrime
	}
	n.units = append(n.units, unit{h: h, off: int32(off), end: int32(len(n.buf)), kind: kind})
	n.bloom[(h>>6)&3] |= 1 << (h & 63)
	n.space = false
}

func (n *normalizer) emitToken(tok string) {
	// Two tokens of the same kind in a row ("<num>-<num>") say no more than one.
	if k := len(n.units); k > 0 && n.units[k-1].kind == unitToken && string(n.buf[n.units[k-1].off:n.units[k-1].end]) == tok {
		n.space = false
		return
	}
	off := len(n.buf)
	n.buf = append(n.buf, tok...)
	n.emit(off, unitToken)
}

func (n *normalizer) emitWord(w []rune) {
	var buf [32]byte
	b := buf[:0]
	allX := len(w) >= 2
	for _, r := range w {
		b = append(b, byte(r))
		allX = allX && r == 'x'
	}
	if allX {
		n.emitToken(TokenMask)
		return
	}
	if tok, ok := wordPlaceholders[string(b)]; ok {
		n.emitToken(tok)
		return
	}
	if k := len(n.units); n.space && k > 0 && n.units[k-1].kind == unitWord {
		n.buf = append(n.buf, ' ')
	}
	off := len(n.buf)
	n.buf = append(n.buf, b...)
	n.emit(off, unitWord)
}

func (n *normalizer) emitHan(r rune) {
	off := len(n.buf)
	n.buf = utf8.AppendRune(n.buf, r)
	n.emit(off, unitHan)
}

func (n *normalizer) emitPunct(r rune) {
	// "！！！" or "。。。" say no more than one mark.
	if k := len(n.units); k > 0 && n.units[k-1].kind == unitPunct {
		last, _ := utf8.DecodeRune(n.buf[n.units[k-1].off:])
		if last == r {
			n.space = false
			return
		}
	}
	off := len(n.buf)
	n.buf = utf8.AppendRune(n.buf, r)
	n.emit(off, unitPunct)
}

// FNV-1a parameters, used to hash units and combine them into n-grams.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)
