package auth

import (
	"strings"
	"unicode/utf8"
)

// Personal numbers are masked in every response unless the caller has the
// unmask capability and asks for it explicitly; the unmasked read is audited.

// MaskIDNumber keeps the first 4 and last 4 characters of an identity
// number: 430102199001011234 -> 4301**********1234.
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
	return string(r[:4]) + strings.Repeat("*", n-8) + string(r[n-4:])
}

// MaskPhone keeps the first 3 and last 4 digits of a mobile number:
// 13812345678 -> 138****5678. Shorter numbers (landlines) keep only the last
// 4 characters.
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
	if n <= 4 {
		return strings.Repeat("*", n)
	}
	return strings.Repeat("*", n-4) + string(r[n-4:])
}

// MaskCard shows only the last 4 digits of a bank card or account number:
// 6222021234567890123 -> **** 0123.
func MaskCard(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	if n <= 4 {
		return "****"
	}
	r := []rune(s)
	return "**** " + string(r[n-4:])
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
