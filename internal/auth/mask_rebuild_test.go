package auth

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// idCheck is the ISO 7064 MOD 11-2 check character of the first 17 digits.
func idCheck(body string) byte {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// TestMaskedIDCannotBeRebuilt plays the attacker of the security review: a
// user without the unmask capability sees a person's masked identity number,
// birth year and sex, and knows the county's 6-digit area code. He lists
// every 18-digit number that fits — each day of the birth year, each
// sequence of the right sex, the check digit computed — and keeps those whose
// mask equals what he was shown. At least 10,000 must remain for every
// person, or the mask gives the number away.
func TestMaskedIDCannotBeRebuilt(t *testing.T) {
	const county = "430999"
	rng := rand.New(rand.NewSource(18))
	for n := 0; n < 20; n++ {
		birth := time.Date(1930+rng.Intn(80), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.Intn(365))
		body := fmt.Sprintf("%s%s%03d", county, birth.Format("20060102"), rng.Intn(1000))
		id := body + string(idCheck(body))
		male := (id[16]-'0')%2 == 1

		shown := MaskIDNumber(id)
		year := BirthYear(birth.Format("2006-01-02"))
		if year != birth.Year() {
			t.Fatalf("BirthYear(%s) = %d", birth.Format("2006-01-02"), year)
		}
		candidates := 0
		for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
			for seq := 0; seq < 1000; seq++ {
				if (seq%2 == 1) != male {
					continue
				}
				b := fmt.Sprintf("%s%s%03d", county, d.Format("20060102"), seq)
				if MaskIDNumber(b+string(idCheck(b))) == shown {
					candidates++
				}
			}
		}
		if candidates < 10000 {
			t.Errorf("%s shown as %s with birth year %d: only %d candidates, want ≥ 10000", id, shown, year, candidates)
		}
	}
}

func TestBirthYear(t *testing.T) {
	for in, want := range map[string]int{"1958-03-04": 1958, "1958": 1958, "": 0, "19x8-01-01": 0, "19580304": 0, " 2001-12-31 ": 2001} {
		if got := BirthYear(in); got != want {
			t.Errorf("BirthYear(%q) = %d, want %d", in, got, want)
		}
	}
	if (Masker{}).Birth("1958-03-04") != "" || (Masker{Unmasked: true}).Birth("1958-03-04") != "1958-03-04" {
		t.Error("Masker.Birth")
	}
}

func TestMaskNumbersInText(t *testing.T) {
	in := `{"text":"账号 6222021001000000001，号码 13812345678，身份证 43010219580101123X，金额 100.00 元","request_id":12}`
	want := `{"text":"账号 **** 0001，号码 138****5678，身份证 4301*************X，金额 100.00 元","request_id":12}`
	if got := MaskNumbersInText(in); got != want {
		t.Errorf("MaskNumbersInText:\n got %s\nwant %s", got, want)
	}
}

// Phones and cards: whatever the length, the mask hides enough digits to
// leave at least 10,000 numbers — for a bank card after taking off its BIN
// (known from the bank shown beside it) and its Luhn check digit.
func TestMaskedPhonesAndCardsLeaveTenThousand(t *testing.T) {
	hidden := func(full, masked string) int {
		shown := strings.TrimPrefix(masked, "**** ")
		if shown != masked { // a card: "**** " stands for everything but the shown tail
			return len(full) - len(strings.TrimLeft(shown, "*"))
		}
		return strings.Count(masked, "*")
	}
	for n := 5; n <= 14; n++ {
		num := strings.Repeat("7", n)
		if h := hidden(num, MaskPhone(num)); n >= 7 && h < 4 {
			t.Errorf("phone of %d digits %s hides %d digits", n, MaskPhone(num), h)
		}
	}
	for n := 6; n <= 19; n++ {
		num := strings.Repeat("6", n)
		h := hidden(num, MaskCard(num))
		if n >= 15 {
			h -= 6 + 1 // BIN and Luhn check
		}
		if h < 4 {
			t.Errorf("card of %d digits %s leaves 10^%d candidates", n, MaskCard(num), h)
		}
	}
}
