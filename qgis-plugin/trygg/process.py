"""Running the trygg program, as the GRASS, SAGA and WhiteboxTools providers run theirs: found on
PATH or set in Processing's options; its progress (--progress json) and messages through QGIS's
feedback; a cancel in QGIS interrupts it (SIGINT), and Trygg then writes nothing."""
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time

from qgis.core import QgsProcessingException

from .texts import t

EXECUTABLE = "TRYGG_EXECUTABLE"
_GROUP = "Trygg"


def plugin_file(name):
    return os.path.join(os.path.dirname(__file__), name)


def add_settings(group, icon):
    from processing.core.ProcessingConfig import ProcessingConfig, Setting
    ProcessingConfig.settingIcons[group] = icon
    ProcessingConfig.addSetting(Setting(group, EXECUTABLE,
                                        t("The trygg program (empty: found on PATH)",
                                          "Programmet trygg (tomt: hittas via PATH)"),
                                        "", valuetype=Setting.FILE))
    ProcessingConfig.readSettings()


def remove_settings():
    from processing.core.ProcessingConfig import ProcessingConfig
    ProcessingConfig.removeSetting(EXECUTABLE)


def executable():
    """The trygg program: the setting when given, else trygg on PATH. Raises with what to do."""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig
        path = ProcessingConfig.getSetting(EXECUTABLE) or ""
    except ImportError:  # outside QGIS's Processing (a script): PATH, or the environment
        path = ""
    path = path or os.environ.get(EXECUTABLE, "")
    if path:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        raise QgsProcessingException(t(
            "The trygg program set in Settings > Options > Processing > Providers > Trygg is not a program: " + path,
            "Programmet trygg som angetts under Inställningar > Alternativ > Processing > Providers > Trygg är inte ett "
            "program: " + path))
    found = shutil.which("trygg")
    if not found:
        raise QgsProcessingException(t(
            "The trygg program is not on PATH. Build it (README, Quick start) and set its path in "
            "Settings > Options > Processing > Providers > Trygg",
            "Programmet trygg finns inte i PATH. Bygg det (README, Quick start) och ange sökvägen under "
            "Inställningar > Alternativ > Processing > Providers > Trygg"))
    return found


def version():
    """trygg --version, or "" when the program is not found."""
    try:
        out = subprocess.run([executable(), "--version"], capture_output=True, text=True, timeout=20)
        return out.stdout.strip()
    except (QgsProcessingException, OSError, subprocess.SubprocessError):
        return ""


_PASSWORD = [re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\"[^\"]*\"|[^\s'\"]+)", re.I),
             re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@", re.I)]


def redact(text):
    """A connection string's password replaced by ***, as Trygg does in its own messages."""
    text = _PASSWORD[0].sub(r"\1***", text)
    return _PASSWORD[1].sub(r"\1***@", text)


def _pump(stream, lines):
    for line in iter(stream.readline, ""):
        lines.put(line.rstrip("\n"))
    lines.put(None)


def run(arguments, feedback):
    """Runs trygg with `arguments` (after the program and --progress json). Returns what it printed
    on stdout (its summary, given to the log too). Raises QgsProcessingException with Trygg's own
    message when it fails, and when the user cancels (Trygg then leaves no output)."""
    command = [executable(), "--progress", "json"] + [str(a) for a in arguments]
    feedback.pushCommandInfo(redact(" ".join(shlex.quote(c) for c in command)))
    env = dict(os.environ, LC_ALL=os.environ.get("LC_ALL", "C.UTF-8"))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               text=True, encoding="utf-8", errors="replace", env=env)
    errors, out = queue.Queue(), queue.Queue()
    readers = [threading.Thread(target=_pump, args=(process.stderr, errors), daemon=True),
               threading.Thread(target=_pump, args=(process.stdout, out), daemon=True)]
    for r in readers:
        r.start()
    messages, summary = [], []
    cancelled_at = None
    open_streams = 2
    while open_streams:
        if feedback.isCanceled() and cancelled_at is None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # Trygg stops at the next step and removes what it began
            cancelled_at = time.monotonic()
        if cancelled_at is not None and time.monotonic() - cancelled_at > 60 and process.poll() is None:
            process.kill()
        try:
            line = errors.get(timeout=0.1)
        except queue.Empty:
            line = ""
        if line is None:
            open_streams -= 1
        elif line:
            try:
                event = json.loads(line)
                feedback.setProgress(100.0 * float(event.get("progress", 0)))
                step = event.get("step", "")
                feedback.setProgressText(step + (": " + event["message"] if event.get("message") else ""))
            except (ValueError, TypeError, AttributeError):
                messages.append(line)
                feedback.reportError(redact(line), False)
        while True:
            try:
                o = out.get_nowait()
            except queue.Empty:
                break
            if o is None:
                open_streams -= 1
            elif o:
                summary.append(o)
                feedback.pushInfo(redact(o))
    code = process.wait()
    process.stdout.close()
    process.stderr.close()
    if cancelled_at is not None or code == 130:
        raise QgsProcessingException(t("Cancelled: Trygg stopped and wrote nothing",
                                       "Avbrutet: Trygg avslutades och skrev ingenting"))
    if code != 0:
        why = "\n".join(redact(m) for m in messages) or t("exit code %d" % code, "slutkod %d" % code)
        raise QgsProcessingException(why)
    return "\n".join(summary)


def written_files(summary):
    """The files Trygg says it wrote ("Wrote PATH" lines of its summary)."""
    return [line[len("Wrote "):].strip() for line in summary.splitlines() if line.startswith("Wrote ")]
