"""The ffmpeg command lines: one encoding for every source (the showcase contract).

H.264 640x360 at 25 fps, ``-preset veryfast -tune zerolatency``, a keyframe every second
(GOP 25, no scene-cut keyframes), AAC audio, into HLS with 1 s segments, a program date
and time on every segment, independent segments, and files written under a temporary
name and renamed when complete (a reader never sees half a segment or playlist).

ffmpeg writes its own playlist (``encoder.m3u8``, never served); the supervisor reads
it and writes the served ``live.m3u8`` and, at the end, ``replay.m3u8``, so a restarted
ffmpeg continues the numbering (``-start_number``) and the playlists mark the break.
ffmpeg never deletes a segment: they are the recording. The supervisor runs these
commands niced, in their own session, ended with the server (``server.streams.supervisor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from server.streams.sources import PushRtmp, PushSrt, Source, TestPattern, VideoFile

WIDTH, HEIGHT, FPS = 640, 360, 25
SEGMENT_S = 1
ENCODER_PLAYLIST = "encoder.m3u8"
SEGMENT_PATTERN = "seg%06d.ts"
TONE_HZ = 440


@dataclass(frozen=True, slots=True)
class Commands:
    """What to run for one attempt: ``source`` feeds ``ffmpeg`` on its stdin (the test
    pattern's clock strip) or is empty (ffmpeg reads the source itself)."""

    ffmpeg: tuple[str, ...]
    source: tuple[str, ...] = ()


def _video_out(label: str) -> list[str]:
    gop = str(FPS * SEGMENT_S)
    return ["-map", label, "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
            "-profile:v", "main", "-pix_fmt", "yuv420p", "-r", str(FPS), "-g", gop, "-keyint_min", gop,
            "-sc_threshold", "0", "-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_S})",
            "-crf", "23", "-maxrate", "1200k", "-bufsize", "1200k", "-threads", "1"]


def _audio_out(spec: str) -> list[str]:
    return ["-map", spec, "-c:a", "aac", "-b:a", "96k", "-ar", "48000", "-ac", "2"]


def _hls_out(start_number: int) -> list[str]:
    return ["-f", "hls", "-hls_time", str(SEGMENT_S), "-hls_list_size", "30",
            "-hls_flags", "program_date_time+independent_segments+temp_file",
            "-start_number", str(start_number), "-hls_segment_filename", SEGMENT_PATTERN, ENCODER_PLAYLIST]


def _fit() -> str:
    """Scale any picture into 640x360 (letterboxed), square pixels, 25 fps."""
    return (f"scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease,"
            f"pad={WIDTH}:{HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={FPS},format=yuv420p")


def commands(source: Source, start_number: int, *, python: str, ffmpeg: str = "ffmpeg") -> Commands:
    """The processes for one run of ``source``, writing segments from ``start_number`` on,
    in the stream's folder (the working directory of ffmpeg)."""
    head = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    if isinstance(source, TestPattern):
        strip_h = 2 * WIDTH // 40
        clock = [python, "-m", "server.streams.pattern", "--width", str(WIDTH),
                 "--fps", str(FPS)]
        cmd = [*head,
               "-f", "lavfi", "-i", f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}",
               "-f", "rawvideo", "-pix_fmt", "gray", "-video_size", f"{WIDTH}x{strip_h}", "-framerate", str(FPS),
               "-i", "pipe:0",
               "-f", "lavfi", "-i", f"sine=frequency={TONE_HZ}:beep_factor=4:sample_rate=48000",
               "-filter_complex", "[0:v][1:v]overlay=0:0:eof_action=endall,format=yuv420p[v];[2:a]volume=0.3[a]",
               *_video_out("[v]"), *_audio_out("[a]"), "-shortest", *_hls_out(start_number)]
        return Commands(tuple(cmd), tuple(clock))
    if isinstance(source, VideoFile):
        loop = ["-stream_loop", "-1"] if source.loop else []
        cmd = [*head, "-re", *loop, "-i", str(source.path), "-filter_complex", f"[0:v:0]{_fit()}[v]",
               *_video_out("[v]"), *(_audio_out("0:a:0") if source.has_audio else []), *_hls_out(start_number)]
        return Commands(tuple(cmd))
    if isinstance(source, PushRtmp | PushSrt):
        # probe a push for at most 1 s (ffmpeg's 5 s default would hold the first segment back)
        probe = ["-analyzeduration", "1000000", "-probesize", "500000"]
        cmd = [*head, *probe, *source.listen_args(), "-filter_complex", f"[0:v:0]{_fit()}[v]",
               *_video_out("[v]"), *_audio_out("0:a:0?"), *_hls_out(start_number)]
        return Commands(tuple(cmd))
    raise TypeError(f"source: {type(source).__name__} is not encoded by ffmpeg")


def folder_of(streams_dir: Path, event_id: int) -> Path:
    """``DATA_DIR/streams/<event_id>``: the stream's playlists and segments."""
    return streams_dir / str(event_id)
