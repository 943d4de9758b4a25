package crawl

import (
	"regexp"
	"strings"
)

// Allowed are the Latin words a Chinese console may show: acronyms and
// product names officers use as they are, file types and units.
var Allowed = map[string]bool{
	"API": true, "Excel": true, "CSV": true, "csv": true, "PDF": true, "ID": true, "HTTP": true, "HTTPS": true,
	"TOTP": true, "QR": true, "GeoJSON": true, "XLSX": true, "xlsx": true, "xls": true, "XLS": true, "JSON": true,
	"URL": true, "IP": true, "ATM": true, "APP": true, "App": true, "app": true, "SMS": true, "GBK": true, "UTF": true,
	"km": true, "MB": true, "KB": true, "GB": true, "ms": true, "PNG": true, "JPEG": true, "JPG": true, "png": true, "jpg": true, "jpeg": true,
	"VoIP": true, "WiFi": true, "Wi": true, "Fi": true, "POS": true, "QQ": true, "USDT": true, "NATS": true, "FIFO": true,
	"LIBR": true, "PIN": true, "CSRF": true, "AJ": true, "TCR": true, "CSR": true, "vs": true,
	"AI": true, "LED": true, "MAC": true, "HMAC": true, "SHA": true, "UTC": true, "WebP": true, "XX": true, "xx": true, "Pro": true,
}

var (
	token   = regexp.MustCompile(`[A-Za-z0-9_./:@#%+*\-]+`)
	urlRe   = regexp.MustCompile(`^([a-z]+:)?https?://|^[a-z0-9\-]+(\.[a-z0-9\-]+)*\.(com|cn|net|org|vip|xyz|top|cc|io|me|info)$`)
	letters = regexp.MustCompile(`[A-Za-z]+`)
)

// EnglishWords returns the words of text written in Latin letters that are
// neither allowed acronyms nor part of a number, code or unit: what a
// Chinese-speaking officer would read as code or English.
func EnglishWords(text string) []string {
	var out []string
	for _, tok := range token.FindAllString(text, -1) {
		if urlRe.MatchString(tok) {
			continue // a web address in a record (scam sites, webhooks) is data
		}
		tok = strings.Trim(tok, ".:/-_#@%+*")
		if tok == "" || urlRe.MatchString(tok) {
			continue // a web address in a record (scam sites, webhooks) is data
		}
		bad := false
		for _, seg := range strings.Split(tok, "/") {
			// A segment with digits is a number, code or record reference
			// (AJ2026000123, duty02, a MAC or request id), not a word.
			if seg == "" || strings.ContainsAny(seg, "0123456789") {
				continue
			}
			for _, w := range letters.FindAllString(seg, -1) {
				if len(w) >= 2 && !Allowed[w] {
					bad = true
				}
			}
		}
		if bad {
			out = append(out, tok)
		}
	}
	return out
}
