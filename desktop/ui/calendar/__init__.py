"""The day and week calendar: a QGraphicsScene per visible range, one item per appointment.

Qt-free parts (what period is shown, what it holds, where columns and blocks go)
sit in `period`, `snapshot`, `grid` and `blocks`; the Qt parts draw and take input.
"""
