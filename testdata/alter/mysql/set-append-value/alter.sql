MODIFY s SET('x','y','z','w')
