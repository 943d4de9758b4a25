package web

import (
	"testing"
)

func TestPartnerDeliveryError(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP 503: internal admin page <secret>":            "HTTP 503",
		"robot error 93000: invalid webhook url":            "robot error 93000",
		"dial tcp 10.0.0.1:80: connect: connection refused": "投递失败：未能连接接收地址",
		`Post "http://127.0.0.1:22/": net/http: HTTP/1.x transport connection broken: malformed HTTP response "SSH-2.0-OpenSSH_9.2p1"`: "投递失败：未能连接接收地址",
		"": "",
	} {
		if got := PartnerDeliveryError(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
