package permit

import "time"

// QueueStates are the states of the work queue: filed and still in
// progress, so that someone at the prefecture has something to do.
var QueueStates = []State{StateSubmitted, StateIncomplete, StateUnderReview, StateFavourable, StateCardReady}

// QueueFilter selects and pages the work queue. Every field narrows it;
// the zero value is every queued application of every prefecture.
type QueueFilter struct {
	Prefectures []int64 // empty: every prefecture (the caller checks who may)
	States      []State // empty: every queue state
	Ground      GroundID
	Kind        Kind
	FiledFrom   time.Time  // first instant included, zero for none
	FiledBefore time.Time  // first instant excluded, zero for none
	After       *QueueMark // the last row of the previous page (keyset paging)
	Limit       int        // rows to return, 0 for all (the export)
}

// QueueMark is a row's place in the queue's order: deadline, filing,
// id. The next page starts after it.
type QueueMark struct {
	DueOn   time.Time
	FiledAt time.Time
	ID      int64
}

// QueueItem is one application as the work queue lists it.
type QueueItem struct {
	ID           int64
	PrefectureID int64
	PersonID     int64
	GivenNames   string
	Surname      string
	Ground       GroundID
	Kind         Kind
	State        State
	FiledAt      time.Time
	Deadline     *Deadline // nil when nothing is dated
	Mark         QueueMark
}
