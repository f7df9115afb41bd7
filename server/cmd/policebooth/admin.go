package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/store"
)

const adminUsage = `Usage:
  policebooth admin station-add --name NAME [--name-en NAME] [--tz Asia/Shanghai] [--phone PHONE]
  policebooth admin booth-add --station ID --name NAME --lat LAT --lng LNG [--name-en NAME] [--phone PHONE]
  policebooth admin booths
  policebooth admin admin-add --phone PHONE --name NAME --password PASSWORD
  policebooth admin staff-add --station ID --role head|officer --phone PHONE --name NAME --password PASSWORD [--badge NO]
  policebooth admin staff-disable --phone PHONE
  policebooth admin staff-enable --phone PHONE

Staff and admins made here must change their password at first sign-in.
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
	case "admin-add", "staff-add":
		u := app.User{Role: app.RoleAdmin, Language: app.LanguageChinese, PhoneVerified: true, MustChangePassword: true}
		var station int64
		var role, password string
		fs.StringVar(&u.Phone, "phone", "", "mobile number")
		fs.StringVar(&u.Name, "name", "", "name")
		fs.StringVar(&password, "password", "", "initial password (changed at first sign-in)")
		if args[0] == "staff-add" {
			fs.Int64Var(&station, "station", 0, "station id")
			fs.StringVar(&role, "role", "officer", "head or officer")
			fs.StringVar(&u.BadgeNo, "badge", "", "badge number (officers)")
		}
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if args[0] == "staff-add" {
			u.Role, u.StationID = app.Role(role), &station
			if !u.Role.Staff() {
				return fmt.Errorf("--role must be head or officer")
			}
		}
		phone, err := app.NormalizePhone(u.Phone)
		if err != nil {
			return err
		}
		u.Phone = phone
		if err := app.ValidatePassword(password); err != nil {
			return err
		}
		if u.PasswordHash, err = auth.HashPassword(password); err != nil {
			return err
		}
		if err := st.CreateUser(ctx, &u); err != nil {
			return err
		}
		if err := st.Audit(ctx, &app.AuditEntry{StationID: u.StationID, Action: string(u.Role) + ".create", Target: fmt.Sprintf("user/%d", u.ID), Detail: "command line"}); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s %d created: %s (%s)\n", u.Role, u.ID, u.Name, u.Phone)
	case "staff-disable", "staff-enable":
		var phone string
		fs.StringVar(&phone, "phone", "", "mobile number")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		u, err := st.FindUserByPhone(ctx, phone)
		if err != nil {
			return err
		}
		disabled := args[0] == "staff-disable"
		if err := st.SetDisabledByOperator(ctx, u.ID, disabled); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s %d: disabled=%v\n", u.Role, u.ID, disabled)
	default:
		return fmt.Errorf("unknown admin command %q\n\n%s", args[0], adminUsage)
	}
	return nil
}
