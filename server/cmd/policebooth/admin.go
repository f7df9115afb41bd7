package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"policebooth/server/app"
	"policebooth/server/store"
)

const adminUsage = `Usage:
  policebooth admin station-add --name NAME [--name-en NAME] [--tz Asia/Shanghai] [--phone PHONE]
  policebooth admin booth-add --station ID --name NAME --lat LAT --lng LNG [--name-en NAME] [--phone PHONE]
  policebooth admin booths
`

// admin manages stations and booths from the command line.
func admin(ctx context.Context, st *store.Store, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, adminUsage)
		return nil
	}
	fs := flag.NewFlagSet("admin "+args[0], flag.ContinueOnError)
	fs.SetOutput(out)
	switch args[0] {
	case "station-add":
		s := app.Station{}
		fs.StringVar(&s.Name, "name", "", "station name (Chinese)")
		fs.StringVar(&s.NameEn, "name-en", "", "station name in English")
		fs.StringVar(&s.TimeZone, "tz", "Asia/Shanghai", "time zone")
		fs.StringVar(&s.Phone, "phone", "", "public phone number")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if err := st.CreateStation(ctx, app.Actor{}, &s); err != nil {
			return err
		}
		fmt.Fprintf(out, "station %d created: %s\n", s.ID, s.Name)
	case "booth-add":
		b := app.Booth{}
		fs.Int64Var(&b.StationID, "station", 0, "station id")
		fs.StringVar(&b.Name, "name", "", "booth name")
		fs.StringVar(&b.NameEn, "name-en", "", "booth name in English")
		fs.StringVar(&b.Phone, "phone", "", "booth phone number")
		fs.Float64Var(&b.Lat, "lat", 0, "latitude")
		fs.Float64Var(&b.Lng, "lng", 0, "longitude")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if err := st.CreateBooth(ctx, app.Actor{}, &b); err != nil {
			return err
		}
		fmt.Fprintf(out, "booth %d created: %s\n", b.ID, b.Name)
	case "booths":
		booths, err := st.ListBooths(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tSTATION\tNAME\tLAT\tLNG")
		for _, b := range booths {
			fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\n", b.ID, b.StationID, b.Name,
				strconv.FormatFloat(b.Lat, 'f', 5, 64), strconv.FormatFloat(b.Lng, 'f', 5, 64))
		}
		return w.Flush()
	default:
		return fmt.Errorf("unknown admin command %q\n\n%s", args[0], adminUsage)
	}
	return nil
}
