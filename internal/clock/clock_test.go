package clock

import (
	"testing"
	"time"
)

func TestFixed(t *testing.T) {
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c := NewFixed(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now() = %v, want %v", c.Now(), start)
	}
	c.Advance(36 * time.Hour)
	if want := start.Add(36 * time.Hour); !c.Now().Equal(want) {
		t.Fatalf("after Advance, Now() = %v, want %v", c.Now(), want)
	}
	if System.Now(System{}).Location() != time.UTC {
		t.Fatal("System clock is not in UTC")
	}
}

func TestStopwatchMeasuresRealTime(t *testing.T) {
	elapsed := Stopwatch()
	time.Sleep(20 * time.Millisecond)
	if d := elapsed(); d < 20*time.Millisecond || d > 5*time.Second {
		t.Fatalf("elapsed = %v after sleeping 20ms", d)
	}
}
