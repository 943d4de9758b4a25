package apiv1

import (
	"time"

	"github.com/fanzha/fanzha/internal/partner"
)

// PartnerTask is a task a joint meeting gave a unit.
type PartnerTask struct {
	ID           int64             `json:"id"`
	MeetingID    int64             `json:"meeting_id,omitempty"`
	MeetingTitle string            `json:"meeting_title,omitempty"`
	UnitID       int64             `json:"unit_id"`
	UnitName     string            `json:"unit_name"`
	Title        string            `json:"title"`
	Detail       string            `json:"detail"`
	Owner        string            `json:"owner"`
	DueAt        time.Time         `json:"due_at,omitzero"`
	Status       string            `json:"status"` // open | doing | done
	StatusName   string            `json:"status_name"`
	Overdue      bool              `json:"overdue"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	DoneAt       time.Time         `json:"done_at,omitzero"`
	Notes        []PartnerTaskNote `json:"notes,omitempty"`
}

// PartnerTaskNote is a follow-up note of a task.
type PartnerTaskNote struct {
	At     time.Time `json:"at"`
	ByUnit bool      `json:"by_unit"`
	Author string    `json:"author"`
	Note   string    `json:"note"`
}

// Task is the contract's view of a task.
func Task(t partner.Task) PartnerTask {
	return PartnerTask{ID: t.ID, MeetingID: t.MeetingID, MeetingTitle: t.MeetingTitle, UnitID: t.UnitID,
		UnitName: t.UnitName, Title: t.Title, Detail: t.Detail, Owner: t.Owner, DueAt: t.DueAt, Status: t.Status,
		StatusName: t.StatusName, Overdue: t.Overdue, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		DoneAt: t.DoneAt, Notes: convert(t.Notes, taskNote)}
}

func taskNote(n partner.TaskNote) PartnerTaskNote {
	return PartnerTaskNote{At: n.At, ByUnit: n.ByUnit, Author: n.Author, Note: n.Note}
}

// TasksBody is a list of tasks.
type TasksBody struct {
	Tasks []PartnerTask `json:"tasks"`
}

// Tasks wraps a list; nil stays nil (written as null).
func Tasks(in []partner.Task) TasksBody { return TasksBody{Tasks: convert(in, Task)} }

// PartnerTaskUpdate changes a task's status or owner, or adds a note.
type PartnerTaskUpdate struct {
	Status string `json:"status,omitempty"` // open | doing | done; empty keeps it
	Owner  string `json:"owner,omitempty"`  // empty keeps it
	Note   string `json:"note,omitempty"`
}

// Domain is the update for internal/partner.
func (u PartnerTaskUpdate) Domain() partner.TaskUpdate {
	return partner.TaskUpdate{Status: u.Status, Owner: u.Owner, Note: u.Note}
}
