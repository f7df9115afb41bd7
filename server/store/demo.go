package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// DemoStationName is the name of the demo data's station.
const DemoStationName = "海淀派出所"

// LoadDemo loads the demo data of design.md: the same records on every load,
// created only when missing.
func (s *Store) LoadDemo(ctx context.Context, log *slog.Logger) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var st app.Station
		err := tx.Where("name = ?", DemoStationName).First(&st).Error
		if err == nil {
			log.Info("demo data already loaded", "station_id", st.ID)
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("store: demo: %w", err)
		}
		st = app.Station{Name: DemoStationName, NameEn: "Haidian Station", TimeZone: "Asia/Shanghai", Phone: "010-62550110"}
		if err := st.Validate(); err != nil {
			return err
		}
		if err := tx.Create(&st).Error; err != nil {
			return fmt.Errorf("store: demo station: %w", err)
		}
		booths := []app.Booth{
			{StationID: st.ID, Name: "A", NameEn: "A", Phone: "010-62550111", Lat: 39.9593, Lng: 116.2981},
			{StationID: st.ID, Name: "B", NameEn: "B", Phone: "010-62550112", Lat: 39.9836, Lng: 116.3164},
		}
		if err := tx.Create(&booths).Error; err != nil {
			return fmt.Errorf("store: demo booths: %w", err)
		}
		log.Info("demo data loaded", "station_id", st.ID)
		return nil
	})
}
