"""Showcase streams (issue 12): one ffmpeg per live event packages a test pattern, a
video file or a broadcaster's push into HLS, records it and offers the replay
(``supervisor.StreamSupervisor``); the web app serves the files
(``server.web.stream_files``). See docs/showcases.md, "The stream"."""
