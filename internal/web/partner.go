package web

import (
	"strings"
)

// 联席 helpers both doors use.

// PartnerDeliveryError is what a partner reads of a failed delivery: the
// HTTP status its receiver answered, without the body — a partner may point
// its webhook anywhere, and fanzha must not become a way to read what other
// hosts answer. A transport error (refused, timeout, an address the guard
// refuses) is one fixed text: its details would tell what listens where.
func PartnerDeliveryError(e string) string {
	if e == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(e, "HTTP "); ok {
		status, _, _ := strings.Cut(rest, ":")
		return "HTTP " + status
	}
	if strings.HasPrefix(e, "robot error ") {
		code, _, _ := strings.Cut(e, ":")
		return code
	}
	return "投递失败：未能连接接收地址"
}
