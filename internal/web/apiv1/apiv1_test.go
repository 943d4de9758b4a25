package apiv1

import (
	"reflect"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
)

// fill sets every field of v (a pointer) to a non-zero value, slices to one
// filled element.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	}
}

// zeroFields names the exported fields of v left at their zero value,
// walking structs, pointers and the first element of slices.
func zeroFields(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		return zeroFields(v.Elem(), path)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			if v.Interface().(time.Time).IsZero() {
				return []string{path}
			}
			return nil
		}
		var out []string
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				out = append(out, zeroFields(v.Field(i), path+"."+v.Type().Field(i).Name)...)
			}
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			return []string{path}
		}
		return zeroFields(v.Index(0), path+"[0]")
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}

func filled[T any]() T {
	var v T
	fill(reflect.ValueOf(&v))
	return v
}

// Every field of the contract is copied from the domain: a converter that
// forgets a field (a new one, or one renamed in the domain) fails here.
func TestConvertersCopyEveryField(t *testing.T) {
	for name, dto := range map[string]any{
		"Unit":          Unit(filled[partner.Unit]()),
		"Request":       Request(filled[partner.Request]()),
		"Requests":      Requests(filled[[]partner.Request]()),
		"ReportReceipt": ReportReceipt(filled[partner.ReportReceipt]()),
		"Report":        Report(filled[partner.Report]()),
		"Reports":       Reports(filled[[]partner.Report]()),
		"Task":          Task(filled[partner.Task]()),
		"Tasks":         Tasks(filled[[]partner.Task]()),
		"Webhook":       Webhook(filled[partner.Webhook]()),
		"Delivery":      Delivery(filled[notify.Delivery]()),
		"Deliveries":    Deliveries(filled[[]notify.Delivery]()),
		"Units":         Units(filled[[]partner.Unit]()),
	} {
		if z := zeroFields(reflect.ValueOf(dto), name); len(z) > 0 {
			t.Errorf("%s leaves %v unset", name, z)
		}
	}
}

// Every field a unit sends reaches the domain, and the domain input has no
// field the contract cannot set.
func TestInputsReachTheDomain(t *testing.T) {
	for name, c := range map[string]struct{ dto, domain any }{
		"PartnerAnswer":       {filled[PartnerAnswer](), filled[PartnerAnswer]().Domain()},
		"PartnerReportInput":  {filled[PartnerReportInput](), filled[PartnerReportInput]().Domain()},
		"PartnerTaskUpdate":   {filled[PartnerTaskUpdate](), filled[PartnerTaskUpdate]().Domain()},
		"PartnerWebhookInput": {filled[PartnerWebhookInput](), filled[PartnerWebhookInput]().Domain()},
	} {
		if z := zeroFields(reflect.ValueOf(c.domain), name); len(z) > 0 {
			t.Errorf("%s.Domain leaves %v unset", name, z)
		}
		if z := zeroFields(reflect.ValueOf(c.dto), name); len(z) > 0 {
			t.Errorf("%s not filled: %v", name, z)
		}
	}
}

// A nil list stays nil (the JSON null the contract has always answered);
// an empty one stays empty.
func TestListsKeepNil(t *testing.T) {
	if Requests(nil).Requests != nil || Tasks(nil).Tasks != nil || Reports(nil).Reports != nil || Deliveries(nil).Deliveries != nil {
		t.Error("nil list became non-nil")
	}
	if got := Requests([]partner.Request{}).Requests; got == nil || len(got) != 0 {
		t.Errorf("empty list: %#v", got)
	}
}
