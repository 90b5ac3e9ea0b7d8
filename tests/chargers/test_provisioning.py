"""Provisioning by staff: chargers and tags created one by one or from a CSV file, in the
admin and from the command line, all or nothing, with generated passwords shown once."""

import csv
import io
import re
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from channels.db import database_sync_to_async
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings
from django.urls import reverse

from chargers import services
from chargers.models import ChargePoint, Connector, IdTag
from chargers.services import ImportRejected, charger_authenticate
from tests.factories.accounts import PASSWORD, UserFactory
from tests.gateway.helpers import open_charger
from wccportal.errors import DomainError
from wccportal.lib import crypto

CHARGERS_HEADER = "charge_point_id,password,model,vendor,owner_email,name,connectors\n"
TAGS_HEADER = "id_tag,owner_email,alias,type,expires_at,note\n"


def upload(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def errors_by_line(exc: ImportRejected) -> dict[int, list[str]]:
    lines: dict[int, list[str]] = {}
    for error in exc.errors:
        lines.setdefault(error.line, []).append(error.message)
    return lines


def can_connect(cp_id: str, password: str) -> bool:
    return charger_authenticate(charge_point_id=cp_id, password=password) is not None


# -- services: chargers ------------------------------------------------------------------------


def test_a_charger_file_creates_every_line_and_returns_only_the_generated_passwords(owner):
    # Given a file with a chosen password on one line and none on the others
    file = upload(
        CHARGERS_HEADER
        + "CP-1001,,AC-22,Acme,OWNER@example.com,Garage,2\n"
        + "CP-1002,chosen-password-1,AC-11,Acme,,,\n"
        + "CP-1003,,,,,,\n"
    )

    # When staff import it
    result = services.chargers_import_csv(file=file)

    # Then every charger exists with its connectors (0 stands for the whole charger)
    assert result.ids == ["CP-1001", "CP-1002", "CP-1003"]
    assert [cp.charge_point_id for cp in result.created] == result.ids
    cp = ChargePoint.objects.get(charge_point_id="CP-1001")
    assert (cp.model, cp.vendor, cp.name, cp.owner) == ("AC-22", "Acme", "Garage", owner)
    assert list(cp.connectors.values_list("connector_id", flat=True)) == [0, 1, 2]
    assert Connector.objects.filter(charge_point__charge_point_id="CP-1003").count() == 2
    # and only the generated passwords come back, each one working for its charger
    assert set(result.passwords) == {"CP-1001", "CP-1003"}
    for cp_id, password in result.passwords.items():
        assert len(password) >= 16 and can_connect(cp_id, password)
    assert can_connect("CP-1002", "chosen-password-1")
    # and no password is stored in plain text
    for cp in ChargePoint.objects.all():
        plain = result.passwords.get(cp.charge_point_id, "chosen-password-1")
        assert plain not in cp.password_hash and plain not in cp.password_encrypted
        assert crypto.decrypt(cp.password_encrypted) == plain


def test_a_file_with_bad_lines_writes_nothing_and_lists_every_error(charger):
    # Given a file where only the first line is right
    file = upload(
        CHARGERS_HEADER
        + "CP-GOOD,,AC-22,Acme,,,1\n"              # 2: fine
        + "CP 3,,,,,,\n"                            # 3: space in the ID
        + "cp-home,,,,,,\n"                         # 4: exists already, ignoring case
        + "CP-GOOD,,,,,,\n"                         # 5: twice in the file
        + "CP-6,short,,,nobody@example.com,,x\n"    # 6: password, owner and connectors
        + "CP-7,,,,,,17\n"                          # 7: too many connectors
        + "CP-8,,,,,,,extra\n"                      # 8: more values than columns
        + "CP-9:1,,,,,,\n"                          # 9: a colon breaks HTTP Basic auth
    )

    # When staff import it
    with pytest.raises(ImportRejected) as caught:
        services.chargers_import_csv(file=file)

    # Then nothing was written
    assert list(ChargePoint.objects.values_list("charge_point_id", flat=True)) == ["CP-HOME"]
    # and every bad line is reported, with all of its errors
    lines = errors_by_line(caught.value)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "without spaces" in lines[3][0]
    assert lines[4] == ["The charge point ID cp-home already exists."]
    assert lines[5] == ["CP-GOOD appears more than once in the file (first on line 2)."]
    assert lines[6] == [
        "A charger password has 8 to 40 characters.",
        "No user has the e-mail address nobody@example.com.",
        "connectors is a whole number from 1 to 16.",
    ]
    assert lines[7] == ["connectors is a whole number from 1 to 16."]
    assert lines[8] == ["This line has 8 values for 7 columns."]
    assert "/ : ? # %" in lines[9][0]
    assert caught.value.code == "invalid_import"
    assert str(caught.value) == "Nothing was imported: the file has 9 errors."
    assert str(caught.value.errors[0]) == "Line 3: " + lines[3][0]


def test_a_dry_run_checks_the_file_and_writes_nothing(db):
    file = upload(CHARGERS_HEADER + "CP-1,,,,,,\n")

    result = services.chargers_import_csv(file=file, dry_run=True)

    assert result.dry_run and result.ids == ["CP-1"]
    assert result.created == [] and result.passwords == {}
    assert not ChargePoint.objects.exists()


def test_a_spreadsheet_export_with_bom_semicolons_and_few_columns_is_read(db):
    # French and German spreadsheets separate with semicolons and prefix a BOM
    data = "\ufeffCharge_Point_ID;Model\r\nCP-1;AC-22\r\n\r\n;\r\nCP-2;AC-11\r\n".encode()

    result = services.chargers_import_csv(file=io.BytesIO(data))

    assert result.ids == ["CP-1", "CP-2"]
    assert ChargePoint.objects.get(charge_point_id="CP-2").model == "AC-11"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(1, "The file is empty: its first line names the columns.")]),
        (CHARGERS_HEADER.encode(), [(2, "The file has no data lines below its header.")]),
        (b"charge_point_id,pasword\nCP-1,x\n", [
            (1, "Unknown column \u201cpasword\u201d; the columns are: charge_point_id, password, "
                "model, vendor, owner_email, name, connectors."),
        ]),
        (b"model,model\nX,Y\n", [
            (1, "The column \u201cmodel\u201d appears twice."),
            (1, "The required column \u201ccharge_point_id\u201d is missing."),
        ]),
        ("charge_point_id\nCP-1\nCP-\u00e9\n".encode("latin-1"), [
            (3, "The file is not UTF-8 text: save it as \u201cCSV UTF-8\u201d."),
        ]),
    ],
    ids=["empty", "header-only", "unknown-column", "no-id-column", "latin-1"],
)
def test_a_file_that_cannot_be_read_is_rejected_with_its_reason(db, data, expected):
    with pytest.raises(ImportRejected) as caught:
        services.chargers_import_csv(file=io.BytesIO(data))

    assert [(error.line, error.message) for error in caught.value.errors] == expected
    assert not ChargePoint.objects.exists()


def test_a_charger_id_unusable_in_the_url_or_basic_auth_is_refused(db):
    for bad in ("CP:1", "CP?1", "CP#1", "CP 1", "", "C" * 49):
        with pytest.raises(DomainError) as caught:
            services.charger_create(charge_point_id=bad)
        assert caught.value.code == "invalid_id"


def test_setting_a_password_checks_its_length(charger):
    with pytest.raises(DomainError) as caught:
        services.charger_set_password(charge_point=charger, password="short")

    assert caught.value.code == "invalid_password"
    assert can_connect("CP-HOME", "charger-password-0123")


@override_settings(OCPP_UNKNOWN_CHARGERS="pending")
def test_an_unknown_id_differing_only_in_case_is_refused_not_an_error(charger):
    # CP-HOME exists: a charger calling itself cp-home cannot be created as pending
    assert charger_authenticate(charge_point_id="cp-home", password="some-password-1") is None
    assert charger_authenticate(charge_point_id="CP-NEW", password="short") is None
    assert ChargePoint.objects.count() == 1


# -- services: tags ----------------------------------------------------------------------------


def test_tag_ids_are_unique_ignoring_case(owner):
    services.tag_create(id_tag="04AABBCC", user=owner)

    with pytest.raises(DomainError) as caught:
        services.tag_create(id_tag="04aabbcc")

    assert caught.value.code == "duplicate_tag"
    assert IdTag.objects.count() == 1


@pytest.mark.parametrize("bad", ["", "X" * 21, "CARTE-\u00e9", "TAB\tTAG"])
def test_a_tag_id_is_1_to_20_printable_ascii_characters(db, bad):
    with pytest.raises(DomainError) as caught:
        services.tag_create(id_tag=bad)

    assert caught.value.code == "invalid_tag"


def test_a_created_tag_is_an_rfid_card_by_default(owner):
    tag = services.tag_create(id_tag=" 04AABBCC ", user=owner, alias="Olivia's card")

    assert (tag.id_tag, tag.kind, tag.tag_type) == ("04AABBCC", "physical", "other")
    assert tag.user == owner


def test_a_tag_file_creates_every_line(owner, member):
    file = upload(
        TAGS_HEADER
        + "04A2B3C4D5E6F7,owner@example.com,Olivia's card,private,2027-12-31,\n"
        + "04FFEE00112233,,Pool card 7,Company,2027-06-30T18:00:00Z,Fleet\n"
        + '"VIRT 1",member@example.com,,,,"a note, with a comma"\n'
    )

    result = services.tags_import_csv(file=file)

    assert result.ids == ["04A2B3C4D5E6F7", "04FFEE00112233", "VIRT 1"]
    assert result.passwords == {}
    first, second, third = (IdTag.objects.get(id_tag=id_) for id_ in result.ids)
    assert (first.user, first.alias) == (owner, "Olivia's card")
    assert (first.tag_type, first.kind) == ("private", "physical")
    # a date alone is midnight in the portal's time zone; an offset is kept
    assert first.expires_at == datetime(2027, 12, 31, tzinfo=ZoneInfo("Europe/Berlin"))
    assert second.expires_at == datetime(2027, 6, 30, 18, tzinfo=ZoneInfo("UTC"))
    assert (second.user, second.tag_type, second.note) == (None, "company", "Fleet")
    assert (third.user, third.note, third.expires_at) == (member, "a note, with a comma", None)


def test_a_tag_file_with_bad_lines_writes_nothing_and_lists_every_error(tags):
    file = upload(
        "id_tag,owner_email,type,kind,expires_at\n"
        + "NEW1,,,,\n"                                  # 2: fine
        + "owner1,,,,\n"                                # 3: OWNER1 exists
        + "new1,,,,\n"                                  # 4: NEW1 above, ignoring case
        + "CARD-\u00e9,ghost@example.com,vip,card,soon\n"  # 5: five errors
        + "123456789012345678901,,,,\n"                 # 6: 21 characters
    )

    with pytest.raises(ImportRejected) as caught:
        services.tags_import_csv(file=file)

    assert IdTag.objects.count() == 4  # the fixture's
    lines = errors_by_line(caught.value)
    assert sorted(lines) == [3, 4, 5, 6]
    assert lines[3] == ["The tag ID owner1 already exists (tag IDs ignore case)."]
    assert lines[4] == ["new1 appears more than once in the file (first on line 2)."]
    assert lines[5] == [
        "A tag ID contains only printable ASCII characters (no accents).",
        "Unknown kind \u201ccard\u201d: use one of physical, virtual.",
        "Unknown type \u201cvip\u201d: use one of other, private, company.",
        "No user has the e-mail address ghost@example.com.",
        "expires_at \u201csoon\u201d is not an ISO 8601 date or date and time "
        "(e.g. 2027-12-31 or 2027-12-31T23:59:00+01:00).",
    ]
    assert lines[6] == ["A tag ID has 1 to 20 characters."]


# -- commands ----------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"password[^:]*\(shown once\): (\S+)", output).group(1)


def test_charger_create_prints_a_generated_password_that_authenticates(owner):
    output = run("charger_create", "CP-CLI", "--model", "AC-22", "--vendor", "Acme",
                 "--owner", "Owner@Example.com", "--name", "Garage", "--connectors", "2")

    assert "Created the charge point CP-CLI with 2 connectors." in output
    password = printed_password(output)
    assert can_connect("CP-CLI", password)
    cp = ChargePoint.objects.get(charge_point_id="CP-CLI")
    assert (cp.model, cp.vendor, cp.owner, cp.name) == ("AC-22", "Acme", owner, "Garage")
    assert cp.connectors.count() == 3  # 0 (the whole charger), 1 and 2


def test_charger_create_with_a_chosen_password_does_not_echo_it(db):
    output = run("charger_create", "CP-CLI", "--password", "chosen-password-1")

    assert "chosen-password-1" not in output
    assert can_connect("CP-CLI", "chosen-password-1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["CP-HOME"], "This charge point ID already exists."),
        (["CP-NEW", "--owner", "nobody@example.com"],
         "No user has the e-mail address nobody@example.com."),
        (["CP-NEW", "--connectors", "0"], "connectors is a whole number from 1 to 16."),
        (["CP-NEW", "--password", "short"], "A charger password has 8 to 40 characters."),
        (["CP/NEW"],
         "A charge point ID has 1 to 48 characters, without spaces or any of / : ? # %."),
    ],
)
def test_charger_create_explains_what_is_wrong(charger, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run("charger_create", *args)

    assert ChargePoint.objects.count() == 1


def test_charger_password_regenerates_and_the_old_password_stops_working(charger):
    output = run("charger_password", "cp-home")

    password = printed_password(output)
    assert can_connect("CP-HOME", password)
    assert not can_connect("CP-HOME", "charger-password-0123")

    output = run("charger_password", "CP-HOME", "--password", "chosen-password-2")
    assert "chosen-password-2" not in output
    assert can_connect("CP-HOME", "chosen-password-2") and not can_connect("CP-HOME", password)


def test_charger_password_of_an_unknown_charger_fails(db):
    with pytest.raises(CommandError, match="No charge point has the ID CP-NONE."):
        run("charger_password", "CP-NONE")


def test_chargers_import_prints_the_generated_passwords_once(tmp_path, owner):
    path = tmp_path / "chargers.csv"
    path.write_text(CHARGERS_HEADER + "CP-1,,,,owner@example.com,,2\nCP-2,chosen-password-1,,,,,\n")

    output = run("chargers_import", str(path))

    rows = [line.split() for line in output.splitlines()]
    assert rows[0] == ["charge_point_id", "generated", "OCPP", "password"]
    assert rows[1][0] == "CP-1" and can_connect("CP-1", rows[1][1])
    assert rows[2] == ["CP-2"]
    assert "2 lines imported." in output
    assert "shown only this once" in output


def test_chargers_import_with_bad_lines_exits_with_status_1_and_lists_them(tmp_path, charger):
    path = tmp_path / "chargers.csv"
    path.write_text(CHARGERS_HEADER + "CP-1,,,,,,\nCP-HOME,,,,,,\nCP-3,,,,ghost@example.com,,\n")

    with pytest.raises(CommandError) as caught:
        run("chargers_import", str(path))

    assert caught.value.returncode == 1
    assert str(caught.value).splitlines() == [
        "Nothing was imported: the file has 2 errors.",
        "Line 3: The charge point ID CP-HOME already exists.",
        "Line 4: No user has the e-mail address ghost@example.com.",
    ]
    assert ChargePoint.objects.count() == 1


def test_chargers_import_dry_run_and_missing_file(tmp_path, db):
    path = tmp_path / "chargers.csv"
    path.write_text(CHARGERS_HEADER + "CP-1,,,,,,\n")

    output = run("chargers_import", str(path), "--dry-run")

    assert "The file is valid: 1 line would be imported." in output
    assert not ChargePoint.objects.exists()
    with pytest.raises(CommandError, match="Cannot read"):
        run("chargers_import", str(tmp_path / "missing.csv"))


def test_tag_create_and_tags_import(tmp_path, owner):
    output = run("tag_create", "04AABBCC", "--owner", "owner@example.com", "--alias", "Card",
                 "--type", "private", "--expires", "2027-12-31")
    assert "Created the tag 04AABBCC." in output
    tag = IdTag.objects.get()
    assert (tag.user, tag.alias, tag.tag_type, tag.kind) == (owner, "Card", "private", "physical")
    assert tag.expires_at == datetime(2027, 12, 31, tzinfo=ZoneInfo("Europe/Berlin"))

    with pytest.raises(CommandError, match="This tag ID already exists."):
        run("tag_create", "04aabbcc")
    with pytest.raises(CommandError, match="is not an ISO 8601 date"):
        run("tag_create", "04DDEEFF", "--expires", "tomorrow")

    path = tmp_path / "tags.csv"
    path.write_text(TAGS_HEADER + "04DDEEFF,owner@example.com,,,,\nVIRT-1,,,,,\n")
    output = run("tags_import", str(path))
    assert "2 lines imported." in output
    assert set(IdTag.objects.values_list("id_tag", flat=True)) == {"04AABBCC", "04DDEEFF", "VIRT-1"}

    path.write_text(TAGS_HEADER + "04aabbcc,,,,,\n")
    with pytest.raises(CommandError) as caught:
        run("tags_import", str(path))
    assert caught.value.returncode == 1
    assert "Line 2: The tag ID 04aabbcc already exists (tag IDs ignore case)." in str(caught.value)


# -- admin -------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff):
    assert client.login(email=staff.email, password=PASSWORD)
    return client


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")


def test_the_changelists_link_to_the_import_pages(staff_client):
    for model in ("chargepoint", "idtag"):
        page = staff_client.get(reverse(f"admin:chargers_{model}_changelist")).content.decode()
        assert f'href="{reverse(f"admin:chargers_{model}_import")}"' in page
        assert "Import from CSV" in page


def test_staff_import_chargers_and_see_the_generated_passwords_once(staff_client, staff, owner):
    url = reverse("admin:chargers_chargepoint_import")
    form = staff_client.get(url)
    assert form.status_code == 200
    assert CHARGERS_HEADER.strip() in form.content.decode()

    response = staff_client.post(url, {"file": csv_upload(
        CHARGERS_HEADER
        + "CP-1,,AC-22,Acme,owner@example.com,Garage,2\n"
        + "CP-2,chosen-password-1,,,,,\n"
    )})

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 lines imported." in page
    cp1 = ChargePoint.objects.get(charge_point_id="CP-1")
    assert reverse("admin:chargers_chargepoint_change", args=[cp1.pk]) in page
    password = re.search(r"<code>([A-Za-z0-9]{16,})</code>", page).group(1)
    assert can_connect("CP-1", password)
    assert "chosen-password-1" not in page
    # the download is the page's own data: link with the ID and the generated password
    href = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)" download', page).group(1)
    downloaded = list(csv.reader(io.StringIO(unquote(href))))
    assert downloaded == [["charge_point_id", "password"], ["CP-1", password]]
    # and the page is not kept by the browser or a proxy
    assert "no-store" in response["Cache-Control"]
    # who did it is recorded, as for additions in the admin
    assert LogEntry.objects.filter(user=staff, object_id=str(cp1.pk)).exists()

    # a new visit shows no password again
    assert password not in staff_client.get(url).content.decode()


def test_staff_see_every_bad_line_and_nothing_is_created(staff_client, charger):
    response = staff_client.post(reverse("admin:chargers_chargepoint_import"), {"file": csv_upload(
        CHARGERS_HEADER + "CP-1,,,,,,\nCP-HOME,,,,,,\nCP-3,,,,<b>x</b>@example.com,,\n"
    )})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported: the file has 2 errors." in page
    assert "Line 3: The charge point ID CP-HOME already exists." in page
    assert "Line 4: No user has the e-mail address &lt;b&gt;x&lt;/b&gt;@example.com." in page
    assert ChargePoint.objects.count() == 1


def test_staff_import_tags_with_a_dry_run_first(staff_client, owner):
    url = reverse("admin:chargers_idtag_import")
    data = TAGS_HEADER + "04AABBCC,owner@example.com,Card,private,,\n"

    checked = staff_client.post(url, {"file": csv_upload(data), "dry_run": "on"})
    assert "The file is valid: 1 line would be imported." in checked.content.decode()
    assert not IdTag.objects.exists()

    imported = staff_client.post(url, {"file": csv_upload(data)})
    assert "1 line imported." in imported.content.decode()
    assert IdTag.objects.get().user == owner


def test_the_import_page_speaks_the_staff_members_language(staff_client, staff, charger):
    staff.language = "fr"
    staff.save(update_fields=["language"])

    response = staff_client.post(reverse("admin:chargers_chargepoint_import"), {"file": csv_upload(
        CHARGERS_HEADER + "CP-HOME,,,,,,\n"
    )})

    page = response.content.decode()
    assert "Importer depuis un fichier CSV" in page
    assert "Ligne 2 : L’identifiant de borne CP-HOME existe déjà." in page


@pytest.mark.parametrize("model", ["chargepoint", "idtag"])
def test_the_import_pages_are_for_staff_only(client, owner, model):
    url = reverse(f"admin:chargers_{model}_import")

    anonymous = client.get(url)
    client.force_login(owner)
    not_staff = client.post(url, {"file": csv_upload(CHARGERS_HEADER + "CP-1,,,,,,\n")})

    for response in (anonymous, not_staff):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not ChargePoint.objects.exists()


def test_staff_without_the_add_permission_are_refused(db, client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("admin:chargers_chargepoint_import")).status_code == 403


# -- end to end --------------------------------------------------------------------------------


@pytest.fixture
async def _close_gateway_connections():
    # The consumer's database thread keeps a connection; close it so teardown can drop the DB.
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.usefixtures("_close_gateway_connections")
async def test_a_charger_created_on_the_command_line_connects_with_the_printed_password():
    output = await database_sync_to_async(run)("charger_create", "CP-E2E", "--connectors", "2")
    password = printed_password(output)

    refused, connected, _ = await open_charger("CP-E2E", password="not-the-password")
    assert not connected

    comm, connected, subprotocol = await open_charger("CP-E2E", password=password)
    assert connected and subprotocol == "ocpp1.6"
    cp = await database_sync_to_async(ChargePoint.objects.get)(charge_point_id="CP-E2E")
    assert cp.is_online
    await comm.disconnect()
