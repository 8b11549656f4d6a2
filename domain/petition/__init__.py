"""The petition aggregate (信访事项), per 信访工作条例."""
