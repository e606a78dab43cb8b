package demo

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// The demonstration's appointments: bookings in Paris and Lyon and one
// request on Paris's waiting list, made once however often it is loaded,
// and nothing secret printed (no link nor counter code).
func TestAppointmentsAreLoadedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		ctx := context.Background()
		if err := Load(ctx, Store{Accounts: db.Accounts(), Files: db.Files()}, clk, cheap, io.Discard); err != nil {
			t.Fatal(err)
		}
		tokens, err := seal.NewTokens(bytes.Repeat([]byte{5}, 32))
		if err != nil {
			t.Fatal(err)
		}
		uc := casework.New(casework.Config{Rules: rules.MustLoad(), Tr: i18n.MustLoad(), Clock: clk, Tokens: tokens,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "https://demo.example"}, rooms.Of(db), nil)
		st := store.Appointments{DB: db}
		var out bytes.Buffer
		for i := 0; i < 2; i++ {
			if err := Appointments(ctx, uc.Appointments, st, clk.Now(), &out); err != nil {
				t.Fatalf("load %d: %v", i+1, err)
			}
		}
		if strings.Count(out.String(), "Counter appointments:") != 1 || strings.Contains(out.String(), "RDV-") ||
			strings.Contains(out.String(), "/rendez-vous/gerer/") {
			t.Fatalf("printed:\n%s", out.String())
		}
		agenda, err := st.Agenda(ctx, "75", clk.Now().AddDate(0, 0, -1), clk.Now().AddDate(0, 0, 60))
		if err != nil || len(agenda) != 3 {
			t.Fatalf("Paris's bookings: %d, %v", len(agenda), err)
		}
		waiting, err := st.WaitingList(ctx, "75")
		if err != nil || len(waiting) != 1 || waiting[0].Name != waitingName || !waiting[0].Deadline.After(clk.Now()) {
			t.Fatalf("Paris's waiting list: %+v, %v", waiting, err)
		}
		if lyon, _ := st.Agenda(ctx, "69", clk.Now().AddDate(0, 0, -1), clk.Now().AddDate(0, 0, 60)); len(lyon) != 1 {
			t.Fatalf("Lyon's bookings: %+v", lyon)
		}
		figs, err := uc.Appointments.PublicFigures(ctx)
		if err != nil || len(figs) != 3 || figs[0].Measured != 3 || figs[0].Waiting != 1 || figs[0].Name != "Préfecture de police de Paris" {
			t.Fatalf("figures: %+v, %v", figs, err)
		}
		for _, b := range agenda {
			if b.Status != permit.BookingBooked {
				t.Errorf("booking %+v", b)
			}
		}
	})
}
