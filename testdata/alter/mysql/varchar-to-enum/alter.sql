MODIFY e ENUM('red','green','blue')
