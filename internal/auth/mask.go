package auth

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Personal numbers are masked in every response unless the caller has the
// unmask capability and asks for it explicitly; the unmasked read is audited.
//
// A masked identity number must not be rebuildable from what is shown beside
// it. An 18-digit number is 6 digits of area (the county's own code, which
// any officer knows), 8 of birth date, 3 of sequence (the last one odd for
// men) and a check digit. The old mask kept the first 4 and last 4 digits —
// the whole sequence and the check digit — and the birth date was shown
// beside it, which left exactly one candidate. The mask now keeps the first
// 4 digits (province and prefecture) and only the last character, and masked
// views give the birth year instead of the date (BirthYear). An attacker who
// knows the county code, the birth year, the sex and the last character
// still has 365 days × 500 sequences ÷ 11 check values ≈ 16,600 candidates
// (TestMaskedIDCannotBeRebuilt enumerates them).

// MaskIDNumber keeps the first 4 and the last character of an identity
// number: 430102199001011234 -> 4301*************4.
func MaskIDNumber(s string) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	if n <= 8 {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	return string(r[:4]) + strings.Repeat("*", n-5) + string(r[n-1:])
}

// BirthYear is the year of a YYYY-MM-DD birth date, 0 when there is none.
// Masked views show it in place of the date.
func BirthYear(date string) int {
	date = strings.TrimSpace(date)
	if len(date) < 4 {
		return 0
	}
	y := 0
	for _, c := range date[:4] {
		if c < '0' || c > '9' {
			return 0
		}
		y = y*10 + int(c-'0')
	}
	if len(date) > 4 && date[4] != '-' {
		return 0
	}
	return y
}

// MaskPhone keeps the first 3 and last 4 digits of a mobile number:
// 13812345678 -> 138****5678. Shorter numbers (landlines) keep at most the
// last 4 characters and always hide at least 4 digits (10,000 candidates):
// 8765432 -> ****432.
func MaskPhone(s string) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	r := []rune(s)
	if n >= 11 {
		return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
	}
	keep := min(4, n-4)
	if keep <= 0 {
		return strings.Repeat("*", n)
	}
	return strings.Repeat("*", n-keep) + string(r[n-keep:])
}

// MaskCard shows only the last 4 digits of a bank card or account number:
// 6222021234567890123 -> **** 0123.
func MaskCard(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	// Keep at most the last 4 and hide at least 4 digits; a bank card's
	// first 6 (BIN) follow from the bank shown beside it and its last digit
	// is a Luhn check, so a 16-digit card still leaves 10^5 candidates.
	keep := min(4, n-4)
	if keep <= 0 {
		return "****"
	}
	r := []rune(s)
	return "**** " + string(r[n-keep:])
}

var longNumber = regexp.MustCompile(`[0-9]{11,}[0-9Xx]?`)

// MaskNumbersInText masks every run of 11 or more digits in free text (a
// delivered message, a note): 11 digits as a phone number, 15 or 18 (with a
// final X) as an identity number, anything else as a card or account.
func MaskNumbersInText(s string) string {
	return longNumber.ReplaceAllStringFunc(s, func(n string) string {
		switch len(n) {
		case 11:
			return MaskPhone(n)
		case 15, 18:
			return MaskIDNumber(n)
		}
		return MaskCard(n)
	})
}

// Masker applies masking, or not, for one response.
type Masker struct{ Unmasked bool }

// ID masks an identity number unless unmasked.
func (m Masker) ID(s string) string {
	if m.Unmasked {
		return s
	}
	return MaskIDNumber(s)
}

// Birth returns a birth date unmasked and "" masked (show BirthYear
// instead).
func (m Masker) Birth(date string) string {
	if m.Unmasked {
		return date
	}
	return ""
}

// Text masks the numbers inside free text (a warning's text, a case
// summary) unless unmasked: a number masked in its field must not stand in
// full in the text beside it.
func (m Masker) Text(s string) string {
	if m.Unmasked {
		return s
	}
	return MaskNumbersInText(s)
}

// Phone masks a phone number unless unmasked.
func (m Masker) Phone(s string) string {
	if m.Unmasked {
		return s
	}
	return MaskPhone(s)
}

// Card masks a card or account number unless unmasked.
func (m Masker) Card(s string) string {
	if m.Unmasked {
		return s
	}
	return MaskCard(s)
}
