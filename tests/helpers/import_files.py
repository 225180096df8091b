"""CSV exports as another system writes them, awkward content included."""

from __future__ import annotations

from pathlib import Path

# Cliniko-style headers; quotes, commas inside fields, UTF-8 names, a blank line,
# both date formats. Sam Lee born 15/01/1980 is already in the test clinic.
PATIENTS_CSV = (
    "First Name,Last Name,DOB,Mobile,Email,Address,Suburb,Postcode,Health Fund,"
    "Health fund member number,Notes,Patient ID\r\n"
    'Zoë,Nguyễn,31/12/1980,0412 000 001,zoe@example.com,"12 Smith St, Unit 3",Bondi,2026,'
    'Bupa,1234567,"Said ""hello"", then left",P-1\r\n'
    "\r\n"
    "Liam,O'Connor,1975-06-02,0412 000 002,,,,,,,,P-2\r\n"
    "Sam,Lee,1980-01-15,0412 345 678,,,,,,,,P-3\r\n"
)


def write_csv(folder: Path, name: str, text: str, *, bom: bool = True) -> Path:
    path = folder / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path
