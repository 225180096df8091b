<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en_AU">
<context>
    <name>CrashDialog</name>
    <message>
        <source>Frontdesk — something went wrong</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What happened: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The log is at {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If this keeps happening, restart Frontdesk and send the diagnostics to support.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong, but Frontdesk is still running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What you were doing last may not have been saved. Check it on the calendar before carrying on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy diagnostics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit Frontdesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide details</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportActions</name>
    <message>
        <source>Save day sheet as PDF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print day sheet…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export practitioner calendar (.ics)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export appointments (CSV)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save day sheet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the day sheet to {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the calendar of {name} to {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the appointments to {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write {path}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export a practitioner&apos;s calendar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save calendar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calendar files (*.ics)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export appointments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save appointments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportRangeDialog</name>
    <message>
        <source>Practitioner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The end date is before the start date.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
