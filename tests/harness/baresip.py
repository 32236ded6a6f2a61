"""Debian's baresip as a real third-party softphone: registers, dials, records what it hears.

``aufile`` plays a WAV as the microphone (the call ends when it runs out, so it is made longer
than the test), and ``sndfile`` dumps the decoded far-end audio to ``<folder>/rec/*-dec.wav``.
"""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ehd.asterisk.instance import free_ports

MODULES = ("g711.so", "aufile.so", "sndfile.so", "account.so", "menu.so")


@dataclass
class Baresip:
    folder: Path
    extension: str
    password: str
    registrar: str  # host:port

    def configure(self, microphone_seconds: int = 30, auto_answer: bool = False) -> None:
        (self.folder / "rec").mkdir(parents=True, exist_ok=True)
        microphone = self.folder / "microphone.wav"
        subprocess.run(
            [
                "sox",
                "-n",
                "-r",
                "8000",
                "-c",
                "1",
                "-b",
                "16",
                str(microphone),
                "synth",
                str(microphone_seconds),
                "sine",
                "440",
                "vol",
                "0.1",
            ],
            check=True,
        )
        port = free_ports(1)[0]
        lines = [
            "poll_method epoll",
            f"sip_listen 127.0.0.1:{port}",
            f"audio_source aufile,{microphone}",
            "audio_alert aufile,/dev/null",
            "module_path /usr/lib/baresip/modules",
            f"snd_path {self.folder / 'rec'}",
            *(f"module {name}" for name in MODULES),
        ]
        (self.folder / "config").write_text("\n".join(lines) + "\n")
        (self.folder / "accounts").write_text(
            f"<sip:{self.extension}@{self.registrar}>;auth_pass={self.password};regint=60"
            + (";answermode=auto" if auto_answer else "")
            + "\n"
        )

    async def run(self, seconds: int, *commands: str) -> str:
        """Run baresip for ``seconds``, executing ``commands`` (e.g. "/dial sip:4600@…")."""
        args = ["baresip", "-f", str(self.folder), "-t", str(seconds)]
        for command in commands:
            args += ["-e", command]
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        return output.decode(errors="replace")

    def heard(self) -> list[Path]:
        return sorted((self.folder / "rec").glob("*-dec.wav"))
